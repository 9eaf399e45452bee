"""forcegen discover: PRIM boxes of the drawn parameters under which an outcome happens.

PRIM is checked on made-up runs whose outcome happens exactly inside a known
box (x1 < 0.3 and x2 > 0.6): the box kept must be that one. Noise must give no
box. The command is checked on a made-up results folder (`--from`), for bad
input (one line, exit 2, nothing written), and on the flagship, where the
examples of docs/study.md are run as written and their quoted numbers checked.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.study import prim
from sim.study.discover import choose, find_boxes, runs_to_separate

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
DOC = ROOT / "docs" / "study.md"
PNG = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()


def synthetic(n: int = 400, seed: int = 1, columns: int = 8) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, columns)), columns=[f"x{i}" for i in range(1, 9)])
    return x, ((x["x1"] < 0.3) & (x["x2"] > 0.6)).to_numpy()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# ---------------------------------------------------------------- PRIM


def test_peeling_finds_the_known_box() -> None:
    x, y = synthetic()
    trajectory = prim.peel(x, y)
    box = prim.simplify(x, y, trajectory[choose(trajectory, 1.0)])
    limits = prim.restricted(box, x)
    assert set(limits) == {"x1", "x2"}
    assert limits["x1"][0] == -math.inf and 0.28 <= limits["x1"][1] < 0.3
    assert limits["x2"][1] == math.inf and 0.6 < limits["x2"][0] <= 0.62
    assert box.density == 1.0 and box.coverage >= 0.95  # peeling without pasting may lose one
    looser = prim.restricted(prim.simplify(x, y, trajectory[choose(trajectory, 0.8)]), x)
    assert set(looser) == {"x1", "x2"} and looser["x1"][1] < 0.4 and looser["x2"][0] > 0.55


def test_peeling_stops_at_the_smallest_mass() -> None:
    x, y = synthetic()
    trajectory = prim.peel(x, y, mass_min=0.3)
    assert trajectory[-1].mass >= 0.3
    assert trajectory[0].mass == 1.0 and trajectory[0].density == pytest.approx(y.mean())


def test_a_category_is_peeled_off() -> None:
    x, _ = synthetic()
    x["zone"] = np.array(["north", "south", "centre", "south"] * 100)
    y = ((x["zone"] == "south") & (x["x3"] < 0.5)).to_numpy()
    trajectory = prim.peel(x, y)
    box = prim.simplify(x, y, trajectory[choose(trajectory, 0.9)])
    assert prim.restricted(box, x)["zone"] == frozenset({"south"})


def test_binomial_tail_is_exact() -> None:
    assert prim.binomial_tail(2, 3, 0.5) == pytest.approx(0.5)
    assert prim.binomial_tail(3, 3, 0.1) == pytest.approx(0.001)
    assert prim.binomial_tail(0, 5, 0.3) == 1.0
    assert prim.binomial_tail(6, 5, 0.3) == 0.0


def test_noise_gives_no_box() -> None:
    x, _ = synthetic(n=300, seed=5)
    y = np.random.default_rng(9).uniform(size=300) < 0.5
    found = find_boxes(x, y, 0.8)
    assert len(found) == 1 and not found[0].kept.limits
    assert found[0].peeled.density > found[0].base_rate  # peeling alone overfits


def test_a_second_box_among_the_runs_left() -> None:
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(1000, 6)), columns=[f"x{i}" for i in range(1, 7)])
    y = ((x["x1"] < 0.2) | (x["x4"] > 0.8)).to_numpy()
    found = find_boxes(x, y, 0.8)
    kept = [set(prim.restricted(f.kept, x)) for f in found]
    assert {"x1"} in kept and {"x4"} in kept
    assert found[0].base_rate == pytest.approx(y.mean())


def test_runs_to_separate_the_box_from_the_base_rate() -> None:
    n = runs_to_separate(0.6, 0.5, 0.5)
    assert n is not None and 200 < n < 2000
    assert runs_to_separate(0.5, 0.5, 0.5) is None


# ---------------------------------------------------------------- the command


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    """A results folder whose runs stall exactly when x1 < 0.3 and x2 > 0.6."""
    x, y = synthetic()
    folder = tmp_path / "made-up"
    folder.mkdir()
    x.insert(0, "run", range(len(x)))
    x.to_csv(folder / "params.csv", index=False)
    runs = pd.DataFrame(
        {
            "run": range(len(y)),
            "outcome": np.where(y, "stalled", "formed"),
            "force": 1000.0,
            "coalition": np.where(y, "", "IDN;PAK"),
        }
    )
    runs.sample(frac=1, random_state=0).to_csv(folder / "runs.csv", index=False)  # any order
    return folder


def test_from_a_folder_writes_the_box(made_up: Path, tmp_path: Path) -> None:
    out = tmp_path / "found"
    argv = ["discover", str(FLAGSHIP), "--outcome", "stalled", "--from", str(made_up)]
    result = runner.invoke(app, [*argv, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Box 1: the force stalls in" in result.output and "x1 ≤ 0." in result.output
    boxes = pd.read_csv(out / "boxes.csv")
    kept = boxes[boxes["stage"] == "kept"]
    assert set(kept["parameter"]) == {"x1", "x2"}
    assert kept["density"].iloc[0] >= 0.8 and kept["coverage"].iloc[0] == 1.0
    assert kept["resolved"].all() and kept["density_lo"].iloc[0] > kept["base_hi"].iloc[0]
    assert (out / "charts" / "tradeoff.png").read_bytes()[:8] == PNG
    text = (out / "discover.md").read_text(encoding="utf-8")
    assert "## Box 1" in text and "charts/tradeoff.png" in text
    assert json.loads((out / "manifest.json").read_text())["command"][:2] == [
        "forcegen",
        "discover",
    ]
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert set(trajectory["shuffle"]) == {0, 1, 2, 3, 4, 5}


def test_commit_outcome_reads_the_coalition(made_up: Path, tmp_path: Path) -> None:
    out = tmp_path / "idn"
    argv = ["discover", str(FLAGSHIP), "--outcome", "commit.idn", "--from", str(made_up)]
    result = runner.invoke(app, [*argv, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "IDN commits in" in result.output


def bad_cases(made_up: Path) -> list[tuple[list[str], str]]:
    partial = made_up.parent / "partial"
    partial.mkdir()
    (partial / "params.csv").write_text("run,x\n0,1\n")
    never = made_up.parent / "never"
    never.mkdir()
    for name in ("params.csv", "runs.csv"):
        (never / name).write_bytes((made_up / name).read_bytes())
    empty = made_up.parent / "empty"
    empty.mkdir()
    for name in ("params.csv", "runs.csv"):
        (empty / name).write_text("")
    runs = pd.read_csv(never / "runs.csv")
    runs.assign(outcome="formed").to_csv(never / "runs.csv", index=False)
    edited = {}  # params.csv edited by hand: a word, infinity, an empty cell
    for value in ("abc", "inf", ""):
        edited[value] = made_up.parent / f"edited-{value or 'empty'}"
        edited[value].mkdir()
        (edited[value] / "runs.csv").write_bytes((made_up / "runs.csv").read_bytes())
        params = pd.read_csv(made_up / "params.csv", dtype=str)
        params.loc[3, "x2"] = value
        params.to_csv(edited[value] / "params.csv", index=False)
    wrong = "params.csv, column 'x2', row 4: expected a finite number, got "
    return [
        (["--outcome", "stalled", "--from", str(edited["abc"])], wrong + "'abc'"),
        (["--outcome", "stalled", "--from", str(edited["inf"])], wrong + "inf"),
        (["--outcome", "stalled", "--from", str(edited[""])], wrong + "nan"),
        (["--outcome", "stalld", "--from", str(made_up)], "did you mean 'stalled'?"),
        (["--outcome", "commit.IDM", "--from", str(made_up)], "did you mean 'IDN'?"),
        (["--outcome", "force", "--from", str(made_up)], "force is a number"),
        (["--outcome", "stalled", "--from", str(partial)], "no runs.csv here"),
        (["--outcome", "stalled", "--from", str(made_up.parent / "nope")], "expected a results"),
        (["--outcome", "stalled", "--from", str(made_up), "--threshold", "0"], "(0, 1]"),
        (["--outcome", "stalled", "--from", str(made_up), "--threshold", "1.2"], "(0, 1]"),
        (["--outcome", "stalled", "--from", str(made_up), "--runs", "50"], "leave them out"),
        (["--outcome", "stalled", "--from", str(never)], "stalled happens in 0 of 400 runs"),
        (["--outcome", "stalled", "--from", str(empty)], "cannot be read as a table"),
    ]


def test_bad_input_is_one_line_and_writes_nothing(made_up: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for args, expected in bad_cases(made_up):
        result = runner.invoke(app, ["discover", str(FLAGSHIP), *args, "--out", str(out)])
        assert result.exit_code == 2, (args, result.output)
        line = one_line(result.output)
        assert line.startswith("error: ") and expected in line, line
        assert not out.exists()


def test_the_command_reads_the_scenario_file_once(tmp_path: Path, monkeypatch) -> None:
    """The outcome's name, --runs and the study's own checks are made on one read of
    the file (it was read three times): refused here at the folder, after all of them
    and before any run."""
    from sim.scenario import loader

    read, real = [], loader.load

    def counted(path, *args, **kwargs):
        read.append(Path(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(loader, "load", counted)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    argv = ["discover", str(FLAGSHIP), "--outcome", "stalled", "--runs", "50", "--seed", "3"]
    result = runner.invoke(app, [*argv, "--out", str(mine)])
    assert result.exit_code == 2 and "not written by forcegen" in one_line(result.output)
    assert read == [FLAGSHIP]


def test_the_from_folder_is_never_replaced(made_up: Path) -> None:
    before = sorted(p.name for p in made_up.iterdir())
    argv = ["discover", str(FLAGSHIP), "--outcome", "stalled", "--from", str(made_up)]
    for out in (made_up, made_up.parent):
        result = runner.invoke(app, [*argv, "--out", str(out)])
        assert result.exit_code == 2, result.output
        one_line(result.output)
    assert sorted(p.name for p in made_up.iterdir()) == before


def test_a_folder_of_another_scenario_is_refused(made_up: Path, tmp_path: Path) -> None:
    (made_up / "manifest.json").write_text(json.dumps({"scenario": "unifil2006"}))
    argv = ["discover", str(FLAGSHIP), "--outcome", "stalled", "--from", str(made_up)]
    result = runner.invoke(app, [*argv, "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "holds results of scenario 'unifil2006'" in one_line(result.output)
    assert not (tmp_path / "x").exists()


# ---------------------------------------------------------------- the flagship, as documented


def doc_commands() -> list[str]:
    """The `forcegen discover` lines of the docs' fenced blocks in the discovery section."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Discovery: when does the force stall?") :]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.DOTALL | re.MULTILINE)
    return [ln for b in blocks for ln in b.splitlines() if ln.startswith("forcegen discover")]


def run_doc(line: str, out: Path) -> str:
    args = shlex.split(line)[1:]
    args[1] = str(ROOT / args[1])
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


@pytest.fixture(scope="module")
def documented(tmp_path_factory) -> dict[str, tuple[str, Path]]:
    commands = doc_commands()
    assert len(commands) == 2
    out = {}
    for line in commands:
        folder = tmp_path_factory.mktemp("doc") / "discover"
        out[line.split("--runs ")[1]] = (run_doc(line, folder), folder)
    return out


def shown_output(runs: str) -> list[str]:
    """The output the doc shows after its `--runs <runs>` command (its ```text block)."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Discovery: when does the force stall?") :]
    at = section.index(f"--outcome stalled --runs {runs}\n")
    block = re.search(r"^```text\n(.*?)^```", section[at:], re.DOTALL | re.MULTILINE)
    assert block, f"no output shown after the --runs {runs} example"
    return [" ".join(line.split()) for line in block.group(1).splitlines() if line.strip()]


def test_at_300_runs_peeling_overfits_and_says_so(documented) -> None:
    printed, folder = documented["300"]
    for line in shown_output("300"):  # the doc shows what the command prints
        assert line in printed, line
    assert "Box 1: no range found." in printed
    boxes = pd.read_csv(folder / "boxes.csv")
    peeled = boxes[boxes["stage"] == "peeled"]
    assert (peeled["density"] > peeled["base_rate"]).all()  # a box above the base rate...
    assert (peeled["qp_value"] >= 0.05).all()  # ...whose limits each fail the qp test


def test_at_1000_runs_a_box_on_indonesia(documented) -> None:
    printed, folder = documented["1000"]
    for line in shown_output("1000"):
        assert line in printed, line
    assert "when states.IDN." in printed
    kept = pd.read_csv(folder / "boxes.csv").query("stage == 'kept'")
    assert kept["resolved"].all() and (kept["density"] > kept["base_rate"]).all()


def test_deployment_is_an_outcome_to_discover() -> None:
    from sim.study.discover import outcome_flags
    from sim.study.names import resolve_event as resolve_outcome

    runs = pd.DataFrame(
        {
            "outcome": ["formed", "undersized", "formed", "stalled"],
            "coalition": ["AAA", "AAA", "AAA", ""],
            "deployed_week": ["5", "9", "", ""],
        }
    )
    assert resolve_outcome("Deployed", ["AAA"]) == "deployed"
    assert outcome_flags(runs, "deployed").tolist() == [True, True, False, False]
    assert outcome_flags(runs, "not_deployed").tolist() == [False, False, True, True]


@pytest.mark.parametrize(
    ("formats", "files", "link"),
    [
        ("svg", ["tradeoff.svg"], "charts/tradeoff.svg"),
        ("png,svg", ["tradeoff.png", "tradeoff.svg"], "charts/tradeoff.png"),
        ("none", [], None),
    ],
)
def test_formats_decide_the_chart_files_and_the_page_links_them(
    made_up: Path, tmp_path: Path, formats: str, files: list[str], link: str | None
) -> None:
    out = tmp_path / "found"
    argv = ["discover", str(FLAGSHIP), "--outcome", "stalled", "--from", str(made_up)]
    result = runner.invoke(app, [*argv, "--out", str(out), "--formats", formats])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (out / "charts").iterdir()) if files else []
    assert written == files
    assert (out / "charts").exists() == bool(files)
    text = (out / "discover.md").read_text(encoding="utf-8")
    if link:
        assert f"]({link})" in text and (out / link).is_file()
    else:
        assert "charts/tradeoff" not in text and "Charts were not drawn" in text
