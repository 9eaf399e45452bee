"""Hostile input to the loader: every case is refused in one line, fast, or runs.

The standard (issue 8): every name resolves or is refused, every number is
finite and in range, and what a file can cost is bounded (size, depth,
aliases, `extends` chains). These run the loader in-process; the same cases
through the command line are in tests/hostile/test_input.py.
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

import pytest

from sim.engine.ensemble import run_ensemble
from sim.explore.paths import mapping
from sim.scenario.arrays import compile_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import MAX_CHAIN, load, merge, validate

ISF = Path(__file__).resolve().parents[2] / "scenarios" / "isf"
FLAGSHIP = ISF / "res2803.yaml"


def variant(tmp_path: Path, body: str, name: str = "variant.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"extends: {FLAGSHIP}\n{body}", encoding="utf-8")
    return path


def refused(path: Path, *fragments: str, within: float = 5.0) -> str:
    """Load `path`; it must fail with a one-line ScenarioError holding `fragments`."""
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as exc:
        load(path)
    assert time.perf_counter() - start < within
    text = str(exc.value)
    assert "\n" not in text and len(text) < 400, text
    for fragment in fragments:
        assert fragment in text, (fragment, text)
    return text


# 1. Documented inputs that crashed the fast engine.


@pytest.mark.parametrize("field", ["bandwagon", "hysteresis", "noise_sd", "pledge_min_share"])
def test_a_decision_range_runs_alike_on_both_engines(tmp_path: Path, field: str) -> None:
    sc = load(variant(tmp_path, f"decision: {{{field}: [0.1, 0.3]}}\n"))
    C = compile_scenario(sc)
    fast = run_ensemble(C, runs=3, seed=5, detail=3, engine="fast")
    mesa = run_ensemble(C, runs=3, seed=5, detail=3, engine="mesa")
    for name in ("runs", "states"):
        assert fast[name].to_csv(index=False) == mesa[name].to_csv(index=False), name


# 2. Non-finite and out-of-bounds numbers; 8. text where a number belongs.

NUMBERS = {
    "nan capacity": ("states: {IDN: {offers: {troops: .nan}}}", "states.IDN.offers.troops"),
    "nan opposition": ("states: {IDN: {domestic_opposition: .nan}}", "domestic_opposition"),
    "nan range end": ("states: {IDN: {conformity: [.nan, 0.5]}}", "states.IDN.conformity"),
    "nan threshold": ("decision: {thresholds: {exit: .nan}}", "decision.thresholds.exit"),
    "nan full payoff": ("decision: {pledge_full_payoff: .nan}", "pledge_full_payoff"),
    "nan initial offer": ("states: {IDN: {initial_offer: {troops: .nan}}}", "initial_offer"),
    "nan unit": ("kinds: {troops: {unit: .nan}}", "kinds.troops.unit"),
    "nan mandate number": ("mandate: {clarity: .nan}", "mandate.clarity"),
    "nan ideal": ("states: {IDN: {preferences: {clarity: {ideal: .nan}}}}", "ideal"),
    "nan text effect": ("veto_players: {ISR: {effects: {use_of_force: 'nan'}}}", "use_of_force"),
    "inf text red line": (
        "states: {IDN: {red_lines: [{id: x, term: clarity, at_least: '-inf'}]}}",
        "red_lines[0].at_least",
    ),
    "inf target": ("broker: {target: .inf}", "broker.target"),
    "huge target": ("broker: {target: 1e308}", "broker.target"),
    "huge base": ("hosts: {HAM: {base: -1.0e12}}", "hosts.HAM.base"),
    "huge int": ("states: {IDN: {incentives: {x: 100000000000000000000}}}", "incentives.x"),
    "10k": ("states: {IDN: {offers: {troops: 10k}}}", "states.IDN.offers.troops"),
    "high": ("states: {IDN: {domestic_opposition: high}}", "states.IDN.domestic_opposition"),
    "low in a range": ("states: {IDN: {domestic_opposition: [low, 0.5]}}", "domestic_opposition"),
    "lots": ("broker: {target: lots}", "broker.target"),
    "quoted number": ("kinds: {troops: {unit: '50'}}", "kinds.troops.unit"),
    "yes for a bool": ("kinds: {troops: {in_theatre: 'no'}}", "kinds.troops.in_theatre"),
    "three-item range": ("states: {IDN: {conformity: [0.1, 0.2, 0.3]}}", "conformity"),
}


@pytest.mark.parametrize("case", sorted(NUMBERS))
def test_bad_numbers_are_refused_in_one_line(tmp_path: Path, case: str) -> None:
    body, path = NUMBERS[case]
    text = refused(variant(tmp_path, body + "\n"), path)
    assert "expected" in text or "Input should" in text or "a range is" in text, text


def test_exponents_are_numbers_as_in_yaml_1_2(tmp_path: Path) -> None:
    sc = load(variant(tmp_path, "broker: {target: 1e4, minimum_viable: 2.5E3}\n"))
    assert sc.broker.target == 10_000.0 and sc.broker.minimum_viable == 2_500.0


def test_the_largest_numbers_allowed_run_without_warnings(tmp_path: Path) -> None:
    body = (
        "broker: {target: 1e9, minimum_viable: 1e9}\n"
        "states: {IDN: {incentives: {x: 1e9}, offers: {troops: 1e9}}}\n"
        "environment: {risk: {base: 1e9}, incident_rate: {base: 1e9}}\n"
    )
    tables = run_ensemble(compile_scenario(load(variant(tmp_path, body))), runs=2, seed=1)
    assert len(tables["runs"]) == 2


def test_non_finite_values_set_in_process_are_refused() -> None:
    data = mapping(load(FLAGSHIP))
    for value in (float("nan"), float("inf"), "nan"):
        bad = copy.deepcopy(data)
        bad["environment"]["risk"]["effects"]["use_of_force"] = value
        with pytest.raises(ScenarioError, match=r"environment\.risk\.effects\.use_of_force"):
            validate(bad, "x.yaml")


# 3. Duplicate keys.


def test_a_duplicate_key_is_refused_with_both_lines(tmp_path: Path) -> None:
    refused(variant(tmp_path, "title: a\ndescription: b\ntitle: c\n"), "line 4", "line 2", "title")


def test_a_duplicate_state_id_is_refused_with_both_lines(tmp_path: Path) -> None:
    body = "states:\n  IDN: {note: a}\n  PAK: {note: b}\n  IDN: {note: c}\n"
    refused(variant(tmp_path, body), "duplicate key 'IDN'", "line 5", "first at line 3")


def test_a_yaml_merge_key_may_override_without_being_a_duplicate(tmp_path: Path) -> None:
    body = "x_note: &n {note: a}\nstates:\n  IDN: {<<: *n, note: b}\n"
    # the merge itself is fine; the unknown top-level key is what is refused
    refused(variant(tmp_path, body), "x_note")


def test_a_key_that_is_a_list_is_not_called_a_tag(tmp_path: Path) -> None:
    text = refused(variant(tmp_path, "? [a, b]\n: 1\n"), "line 2", "a key must be a name")
    assert "tag" not in text


# 4. Hangs and exhaustion.


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    body = "description: x\nnote:\n  " + "\n  ".join(lines) + "\n"
    refused(variant(tmp_path, body), "line", within=2.0)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    refused(variant(tmp_path, "note: " + "[" * 800 + "]" * 800 + "\n"), "nested more than")
    deep = "note: " + "{a: " * 800 + "1" + "}" * 800 + "\n"
    refused(variant(tmp_path, deep, "map.yaml"), "nested more than")


def test_an_oversized_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    body = "description: " + "x" * (1 << 20) + "\n"
    refused(variant(tmp_path, body), "bytes", "at most 1,048,576")


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "fifo"])
def test_extends_to_something_that_is_not_a_regular_file(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no FIFOs here")
        os.mkfifo(tmp_path / "pipe.yaml")
        target = "pipe.yaml"
    elif not Path(target).exists():
        pytest.skip(f"no {target} here")
    else:
        (tmp_path / "dev.yaml").symlink_to(target)
        target = "dev.yaml"
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {target}\n", encoding="utf-8")
    refused(child, "is not a regular file", within=2.0)


def test_a_fifo_named_on_its_own_is_refused(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(tmp_path / "pipe.yaml")
    refused(tmp_path / "pipe.yaml", "not a regular file", within=2.0)


def test_a_diamond_of_extends_reads_each_file_once(tmp_path: Path) -> None:
    n = MAX_CHAIN - 3  # the flagship brings two files of its own
    for i in range(n):
        parent = f"d{i + 1}.yaml" if i < n - 1 else str(FLAGSHIP)
        text = f"extends: [{parent}, {parent}]\n" if i < n - 1 else f"extends: {parent}\n"
        (tmp_path / f"d{i}.yaml").write_text(text, encoding="utf-8")
    start = time.perf_counter()
    assert load(tmp_path / "d0.yaml").name == "d0"
    assert time.perf_counter() - start < 5  # 2**13 merges without the cache


def test_a_long_chain_of_extends_is_refused(tmp_path: Path) -> None:
    for i in range(2000):
        parent = f"c{i + 1}.yaml" if i < 1999 else str(FLAGSHIP)
        (tmp_path / f"c{i}.yaml").write_text(f"extends: {parent}\n", encoding="utf-8")
    refused(tmp_path / "c0.yaml", f"more than {MAX_CHAIN} files")


def test_a_megabyte_name_is_refused_quickly(tmp_path: Path) -> None:
    text = refused(
        variant(tmp_path, f"states: {{IDN: {{name: {'x' * 1_000_000}}}}}\n"),
        "states.IDN.name",
        "at most 200 characters",
        within=3.0,
    )
    assert "xxxxxxxxxx" not in text


def test_a_long_id_is_refused_and_not_echoed_in_full(tmp_path: Path) -> None:
    text = refused(variant(tmp_path, f"blocs: {{{'b' * 1000}: a bloc}}\n"), "at most 64")
    assert "b" * 100 not in text


# 5. extends follows only scenario files.


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc/shadow", "notes.txt", "data.json"])
def test_extends_follows_only_yaml_files(tmp_path: Path, target: str) -> None:
    (tmp_path / "notes.txt").write_text("secret: 1\n", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"secret": 1}\n', encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {target}\ntitle: t\n", encoding="utf-8")
    text = refused(child, ".yaml or .yml")
    assert "secret" not in text


def test_a_yaml_file_that_is_not_a_scenario_is_not_echoed(tmp_path: Path) -> None:
    (tmp_path / "compose.yml").write_text(
        "services: {web: {image: hidden_value}}\nsecret_key: hidden_key\n", encoding="utf-8"
    )
    child = tmp_path / "child.yaml"
    child.write_text("extends: compose.yml\ntitle: t\n", encoding="utf-8")
    text = refused(child, "'compose.yml' is not a scenario file")
    assert "hidden" not in text and "services" not in text


def test_a_variant_outside_the_repository_extends_by_relative_path(tmp_path: Path) -> None:
    relative = os.path.relpath(FLAGSHIP, tmp_path)
    (tmp_path / "mine.yaml").write_text(f"extends: {relative}\ntitle: mine\n", encoding="utf-8")
    assert load(tmp_path / "mine.yaml").title == "mine"


def test_a_parent_is_found_from_the_file_that_names_it(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "mid.yaml").write_text(f"extends: {FLAGSHIP}\n", encoding="utf-8")
    (tmp_path / "top.yaml").write_text("extends: sub/mid.yaml\ntitle: top\n", encoding="utf-8")
    (tmp_path / "sub" / "leaf.yaml").write_text("extends: mid.yaml\n", encoding="utf-8")
    assert load(tmp_path / "top.yaml").title == "top"
    assert load(tmp_path / "sub" / "leaf.yaml").name == "leaf"


# 6. Clear messages.


def test_a_file_name_with_spaces_gives_a_valid_default_name(tmp_path: Path) -> None:
    assert load(variant(tmp_path, "", "My Scenario (v2).yaml")).name == "my_scenario_v2"


def test_a_file_name_with_no_letters_asks_for_a_name(tmp_path: Path) -> None:
    refused(variant(tmp_path, "", "(((.yaml"), "cannot be a scenario name; add `name:`")


def test_an_unquoted_date_asks_for_quotes(tmp_path: Path) -> None:
    text = refused(variant(tmp_path, "date: 2025-12-20\n"), "date: expected text; quote the date")
    assert "datetime" not in text


# 7. Names in list edits.

EDITS = {
    "task": ("mandate: {tasks: {remove: [weapons_decomissioning]}}", "weapons_decommissioning"),
    "kind": ("force: {counts: {remove: [troop]}}", "'troops'"),
    "bloc": ("states: {PAK: {blocs: {remove: [oics]}}}", "'oic'"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_misspelt_name_in_a_remove_edit_is_refused(tmp_path: Path, case: str) -> None:
    body, hint = EDITS[case]
    refused(variant(tmp_path, body + "\n"), ".remove[0]", "did you mean", hint)


def test_remove_from_a_list_that_is_not_set_is_refused() -> None:
    with pytest.raises(ScenarioError, match="not set in the files this extends"):
        merge({}, {"states": {"PAK": {"follows": {"remove": ["oic"]}}}})


def test_an_edit_must_name_a_list(tmp_path: Path) -> None:
    refused(variant(tmp_path, "force: {counts: {remove: troops}}\n"), "expected a list of names")


def test_a_correct_remove_still_works(tmp_path: Path) -> None:
    sc = load(variant(tmp_path, "mandate: {tasks: {remove: [weapons_decommissioning]}}\n"))
    assert "weapons_decommissioning" not in sc.mandate["tasks"]


# 9. A misspelt state id in a variant.


def test_a_misspelt_state_in_a_variant_is_named(tmp_path: Path) -> None:
    refused(
        variant(tmp_path, "states: {IND: {offers: {troops: 100}}}\n"),
        "states.IND: unknown state 'IND' (did you mean 'IDN'?); a new state needs a name",
    )


def test_a_new_state_with_a_name_is_welcome(tmp_path: Path) -> None:
    sc = load(variant(tmp_path, "states: {NZL: {name: New Zealand, offers: {troops: 100}}}\n"))
    assert sc.states["NZL"].name == "New Zealand"


def test_a_misspelt_veto_player_is_named(tmp_path: Path) -> None:
    refused(variant(tmp_path, "veto_players: {ISX: {base: 0.2}}\n"), "unknown veto player 'ISX'")
