"""whatif: the suggested change brings the state in when applied, with its costs."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.summary import summarise
from sim.cli import app
from sim.engine.ensemble import run_ensemble
from sim.explore import paths
from sim.explore.whatif import Change, search, veto_cost, vocabulary_changes
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load, override

from .conftest import one_line, runner

RUNS = 20


def direct_p_commit(sc, changes: tuple[Change, ...], state: str) -> float:
    """Apply the changes and run the scenario directly (same seed, same runs)."""
    changed = override(paths.apply(sc, {c.path: c.new for c in changes}), runs=RUNS)
    C = compile_scenario(changed)
    return summarise(run_ensemble(C, detail=1), C)["states"][state]["p_commit"]


def test_the_vocabulary_gives_every_single_clause_change(whatif_file) -> None:
    texts = {c.text() for c in vocabulary_changes(load(whatif_file))}
    assert texts == {
        "use_of_force: enforcement → self_defence",
        "use_of_force: enforcement → defence_of_mandate",
        "add task police_training",
        "remove task ceasefire_monitoring",
        "remove task weapons_decommissioning",
        "national_caveats: false → true",
    }  # clarity (a number term) is not a clause to trade


def test_a_single_change_brings_the_state_in_when_applied(whatif_file) -> None:
    sc = load(whatif_file)
    w = search(sc, "PAK", runs=RUNS)
    assert w.brings_in and not w.already_in and w.tried_pairs == 0
    best = w.found[0]
    assert best.text() == "remove task weapons_decommissioning"
    assert direct_p_commit(sc, best.changes, "PAK") == best.result["p_commit"]["PAK"] >= 0.5
    # its cost: Israel, which wants decommissioning, flips to rejection
    flips, loss = veto_cost(w.base, best.result)
    assert flips == 1 and loss == pytest.approx(0.3, abs=1e-6)


def test_pairs_are_searched_when_no_single_change_suffices(whatif_file) -> None:
    sc = load(whatif_file)
    w = search(sc, "EGY", runs=RUNS)
    assert w.brings_in and w.tried_pairs > 0
    best = w.found[0]
    assert {c.text() for c in best.changes} == {
        "remove task weapons_decommissioning",
        "use_of_force: enforcement → defence_of_mandate",  # one step, before self-defence
    }
    assert direct_p_commit(sc, best.changes, "EGY") == best.result["p_commit"]["EGY"] >= 0.5
    for c in w.found:
        assert len({ch.path for ch in c.changes}) == len(c.changes)


def test_a_state_already_in_is_reported_as_such(whatif_file) -> None:
    w = search(load(whatif_file), "IDN", runs=RUNS)
    assert w.already_in and w.found == []


def test_whatif_command_prints_the_changes_and_their_costs(whatif_file, tmp_path) -> None:
    out = tmp_path / "wi"
    argv = ["whatif", str(whatif_file), "--state", "PAK", "--runs", str(RUNS), "--out", str(out)]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "remove task weapons_decommissioning" in text
    assert "flips to rejection" in text
    table = pd.read_csv(out / "whatif.csv")
    assert table.loc[0, "change"] == "remove task weapons_decommissioning"
    assert bool(table.loc[0, "brings_in"]) and bool(table.loc[0, "flips.ISR"])
    assert "dp_commit.EGY" in table.columns and "dp_commit.PAK" not in table.columns
    assert (
        "What would bring PAK" in (out / "whatif.md").read_text()
        or "(PAK)" in (out / "whatif.md").read_text()
    )


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--state", "PAX"], "did you mean 'PAK'?"),
        (["--state", "PAK", "--runs", "0"], "--runs"),
    ],
)
def test_whatif_refusals_are_one_line_exit_2(whatif_file, tmp_path, args, expected) -> None:
    out = tmp_path / "wi"
    result = runner.invoke(app, ["whatif", str(whatif_file), *args, "--out", str(out)])
    assert result.exit_code == 2
    assert expected in one_line(result.output)
    assert not out.exists()
