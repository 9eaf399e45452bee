"""The JSON Schemas of scenario and sweep files (`forcegen schema`).

The shipped copies are what the generator makes now; every shipped file names
its schema in its first line and validates against it; the schema refuses what
the loader refuses (a misspelt key, text for a number, a share of 2.0) and
accepts what it accepts (variants with `extends`, `null`, `{add, remove}`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml
from shipped import tracked
from typer.testing import CliRunner

from sim.cli import app
from sim.explore.sweep import load_sweep
from sim.scenario.errors import ScenarioError
from sim.scenario.jsonschema import REGENERATE, schema, schema_text
from sim.scenario.loader import load, read_yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHIPPED = SCENARIOS / "schema"
FLAGSHIP = SCENARIOS / "isf" / "res2803.yaml"
DOC = ROOT / "docs" / "scenario-format.md"
runner = CliRunner()


def yaml_files() -> list[Path]:
    return tracked(SCENARIOS) or sorted(SCENARIOS.rglob("*.yaml"))


def kind_of(path: Path) -> str:
    return "sweep" if "sweeps" in path.relative_to(SCENARIOS).parts else "scenario"


@pytest.fixture(scope="module")
def validators() -> dict[str, jsonschema.Draft202012Validator]:
    return {k: jsonschema.Draft202012Validator(schema(k)) for k in ("scenario", "sweep")}


def errors(validators, kind: str, data: dict) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message[:120]}"
        for e in validators[kind].iter_errors(data)
    ]


@pytest.mark.parametrize("kind", ["scenario", "sweep"])
def test_shipped_schema_is_what_forcegen_generates_now(kind: str) -> None:
    shipped = SHIPPED / f"{kind}.schema.json"
    assert shipped.is_file(), f"{shipped} is missing; run: {REGENERATE.format(kind=kind)}"
    assert shipped.read_text(encoding="utf-8") == schema_text(kind), (
        f"{shipped.relative_to(ROOT)} is stale (the models changed); run: "
        f"{REGENERATE.format(kind=kind)}"
    )


@pytest.mark.parametrize("kind", ["scenario", "sweep"])
def test_schema_is_a_valid_draft_2020_12_schema(kind: str) -> None:
    data = schema(kind)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)


def test_every_shipped_yaml_names_its_schema_on_its_first_line() -> None:
    files = yaml_files()
    assert len(files) >= 18
    for path in files:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert match, f"{path.relative_to(ROOT)}: first line is {first!r}"
        target = (path.parent / match.group(1)).resolve()
        assert target == (SHIPPED / f"{kind_of(path)}.schema.json").resolve(), path
        assert not os.path.isabs(match.group(1))


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(SCENARIOS)))
def test_every_shipped_file_validates_against_its_schema(validators, path: Path) -> None:
    # forcegen's own reader: a safe loader that reads 1e4 as a number, as YAML 1.2
    # (and so an editor's language server) does
    data = read_yaml(path)
    assert data == yaml.safe_load(path.read_text(encoding="utf-8"))
    assert errors(validators, kind_of(path), data) == []


def test_the_first_line_comment_is_ignored_by_the_loader(tmp_path: Path) -> None:
    text = FLAGSHIP.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    result = runner.invoke(app, ["validate", str(FLAGSHIP)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["name"] == "res2803"
    # the same file without the comment resolves to the same scenario
    bare = tmp_path / "res2803.yaml"
    actors = SCENARIOS / "isf" / "actors.yaml"
    body = text.split("\n", 1)[1]
    assert "extends: actors.yaml\n" in body
    bare.write_text(body.replace("extends: actors.yaml", f"extends: {actors}"), "utf-8")
    assert runner.invoke(app, ["validate", str(bare)]).output == result.output


@pytest.mark.parametrize(
    "path",
    [p for p in yaml_files() if kind_of(p) == "scenario" and p.name != "actors.yaml"],
    ids=lambda p: p.stem,
)
def test_a_resolved_scenario_is_itself_a_valid_file(validators, path: Path) -> None:
    """What `forcegen validate` prints (every default filled in) is a file the schema
    accepts, in its base form."""
    data = load(path).model_dump(mode="json", by_alias=True)
    assert errors(validators, "scenario", data) == []


# ---------------------------------------------------------------- variants


def variant(tmp_path: Path, body: dict, name: str = "variant.yaml") -> tuple[Path, dict]:
    data = {"extends": str(FLAGSHIP), **body}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, data


GOOD_VARIANTS = {
    "extends_only": {"title": "a variant"},
    "null_deletes": {"states": {"PAK": {"follows": None, "note": None}}, "date": None},
    "add_remove": {
        "mandate": {"tasks": {"remove": ["weapons_decommissioning"]}},
        "force": {"counts": {"add": ["medical"], "remove": ["formed_police"]}},
        "states": {"IDN": {"blocs": {"remove": ["oic"], "add": ["nato"]}}},
    },
    "list_of_extends": {"run": {"runs": 20, "mechanisms": {"noise": False}}},
    "range_judgement": {"states": {"IDN": {"risk_tolerance": [0.2, 0.4]}}},
}


@pytest.mark.parametrize("case", list(GOOD_VARIANTS))
def test_variants_the_loader_accepts_validate(validators, tmp_path: Path, case: str) -> None:
    body = copy.deepcopy(GOOD_VARIANTS[case])
    path, data = variant(tmp_path, body)
    if case == "list_of_extends":
        data["extends"] = [str(FLAGSHIP)]
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
    load(path)  # the loader accepts it
    assert errors(validators, "scenario", data) == []


BAD_VARIANTS = {
    "misspelt_top_level": ({"mandat": {"command": "un"}}, "mandat"),
    "misspelt_nested": ({"states": {"PAK": {"domestic_oposition": 0.5}}}, "domestic_oposition"),
    "text_for_number": ({"broker": {"target": "5000"}}, "broker.target"),
    "probability_2": ({"states": {"PAK": {"risk_tolerance": 2.0}}}, "risk_tolerance"),
    "range_end_out_of_bounds": ({"states": {"PAK": {"conformity": [0.2, 1.5]}}}, "conformity"),
    "bad_list_edit": ({"force": {"counts": {"append": ["medical"]}}}, "force.counts"),
    "bool_as_text": ({"run": {"mechanisms": {"noise": "no"}}}, "noise"),
    "count_not_whole": ({"run": {"runs": 2.5}}, "run.runs"),
    "unknown_stance": ({"states": {"PAK": {"initial_stance": "comitted"}}}, "initial_stance"),
    "incomplete_list_item": (
        {"states": {"PAK": {"red_lines": [{"term": "tasks", "excludes": "x"}]}}},
        "red_lines",
    ),
    "extends_not_yaml": ({}, "extends"),
}


@pytest.mark.parametrize("case", list(BAD_VARIANTS))
def test_variants_the_loader_refuses_do_not_validate(validators, tmp_path: Path, case: str) -> None:
    body, where = BAD_VARIANTS[case]
    path, data = variant(tmp_path, copy.deepcopy(body))
    if case == "extends_not_yaml":
        data["extends"] = str(FLAGSHIP.with_suffix(".json"))
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError) as refused:
        load(path)
    assert where.split(".")[-1] in str(refused.value)
    found = errors(validators, "scenario", data)
    assert found, f"the schema accepts {body}"
    assert any(where in e for e in found), found  # reported at the field, not above it


def test_a_base_file_takes_no_null_and_no_list_edit(validators, tmp_path: Path) -> None:
    """Without `extends` there is nothing to delete or edit: refused by both."""
    base = load(FLAGSHIP).model_dump(mode="json", by_alias=True)
    for change in ({"title": None}, {"force": {**base["force"], "counts": {"add": ["x"]}}}):
        data = {**base, **change}
        path = tmp_path / "base.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(ScenarioError):
            load(path)
        assert errors(validators, "scenario", data), change


def test_a_wrong_base_file_is_refused_by_both(validators, tmp_path: Path) -> None:
    base = load(FLAGSHIP).model_dump(mode="json", by_alias=True)
    for change in (
        {"titel": "misspelt"},
        {"decision": {**base["decision"], "noise_sd": "0.05"}},
        {"kinds": {"troops": {"label": "Troops", "unit": 0}}},
    ):
        data = {**base, **change}
        path = tmp_path / "base.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(ScenarioError):
            load(path)
        assert errors(validators, "scenario", data), change


# ---------------------------------------------------------------- sweeps


def sweep_file(tmp_path: Path, **change) -> tuple[Path, dict]:
    data = read_yaml(SCENARIOS / "sweeps" / "decommissioning_x_force.yaml")
    data["base"] = str(FLAGSHIP)
    data.update(change)
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path, data


@pytest.mark.parametrize(
    "change",
    [
        {"axis": [{"path": "mandate.use_of_force", "values": ["enforcement"]}]},
        {"runs": "100"},
        {"design": "random"},
        {"runs": 0},
        {"base": "res2803.json"},
    ],
    ids=["misspelt_key", "text_for_number", "unknown_design", "runs_0", "base_not_yaml"],
)
def test_sweep_files_the_loader_refuses_do_not_validate(
    validators, tmp_path: Path, change: dict
) -> None:
    path, data = sweep_file(tmp_path, **change)
    with pytest.raises(ScenarioError):
        load_sweep(path)
    assert errors(validators, "sweep", data), change


def test_a_sweep_file_the_loader_accepts_validates(validators, tmp_path: Path) -> None:
    axes = [{"path": "states.PAK.domestic_opposition", "values": {"from": 0.2, "to": 0.8}}]
    path, data = sweep_file(tmp_path, design="lhs", samples=4, axes=axes, runs=5)
    assert len(load_sweep(path).points) == 4
    assert errors(validators, "sweep", data) == []


# ---------------------------------------------------------------- the command


def test_schema_prints_json_and_refuses_a_bad_kind() -> None:
    result = runner.invoke(app, ["schema", "sweep"])
    assert result.exit_code == 0
    assert json.loads(result.output) == schema("sweep")
    result = runner.invoke(app, ["schema", "sweeps"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: forcegen schema: expected 'scenario' or 'sweep', got 'sweeps' "
        "(did you mean 'sweep'?)"
    ]
    result = runner.invoke(app, ["schema", "xyz"])  # nothing close: no guess
    assert result.output.strip().splitlines() == [
        "error: forcegen schema: expected 'scenario' or 'sweep', got 'xyz'"
    ]


def test_out_replaces_only_a_schema_forcegen_wrote(tmp_path: Path) -> None:
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": true}\n', encoding="utf-8")
    result = runner.invoke(app, ["schema", "--out", str(mine)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    assert mine.read_text(encoding="utf-8") == '{"mine": true}\n'
    new = tmp_path / "scenario.schema.json"
    for _ in range(2):  # written, then replaced
        assert runner.invoke(app, ["schema", "--out", str(new)]).exit_code == 0
        assert new.read_text(encoding="utf-8") == schema_text("scenario")
    # a sweep schema is not replaced by a scenario schema
    other = tmp_path / "sweep.schema.json"
    assert runner.invoke(app, ["schema", "sweep", "--out", str(other)]).exit_code == 0
    assert runner.invoke(app, ["schema", "scenario", "--out", str(other)]).exit_code == 2
    assert runner.invoke(app, ["schema", "--out", str(tmp_path)]).exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.json",
        "scenario.schema.json",
        "sweep.schema.json",
    ]


def doc_commands() -> list[list[str]]:
    """The shell lines of the 'Editor completion and checking' section."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Editor completion and checking", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.S | re.M)
    assert blocks, "the section shows its commands"
    return [shlex.split(line, comments=True) for b in blocks for line in b.splitlines()]


def test_the_documented_commands_run(tmp_path: Path, monkeypatch) -> None:
    commands = doc_commands()
    assert len(commands) == 4
    (tmp_path / "scenarios" / "schema").mkdir(parents=True)
    for kind in ("scenario", "sweep"):
        shipped = (SHIPPED / f"{kind}.schema.json").read_text(encoding="utf-8")
        (tmp_path / "scenarios" / "schema" / f"{kind}.schema.json").write_text(shipped, "utf-8")
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        assert argv[0] == "forcegen"
        result = runner.invoke(app, argv[1:])
        assert result.exit_code == 0, (argv, result.output)
        if "--out" not in argv:
            kind = argv[2] if len(argv) > 2 else "scenario"
            assert result.output == schema_text(kind)
    for kind in ("scenario", "sweep"):
        written = tmp_path / "scenarios" / "schema" / f"{kind}.schema.json"
        assert written.read_text(encoding="utf-8") == schema_text(kind)
