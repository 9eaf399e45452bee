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


def test_a_search_above_its_bounds_is_refused_before_it_runs(whatif_file, tmp_path, monkeypatch):
    """Candidates (singles, up to 36 pairs) times --runs at most MAX_RUNS; single changes
    at most MAX_SINGLES: one line naming the file and the field, nothing run or written."""
    from sim.explore import batched, whatif

    ran = []
    monkeypatch.setattr(batched, "run_points", lambda *a: ran.append(a))
    out = tmp_path / "wi"
    args = ["whatif", str(whatif_file), "--state", "PAK", "--out", str(out)]
    result = runner.invoke(app, [*args, "--runs", "50000"])  # (1 + 6 + 36) x 50,000
    line = one_line(result.output)
    assert result.exit_code == 2 and str(whatif_file) in line and "--runs" in line
    assert "7 candidates and up to 36 pairs at 50,000 runs each cost up to 2,150,000" in line
    assert "at most 2,000,000" in line
    monkeypatch.setattr(whatif, "MAX_SINGLES", 5)  # the file's vocabulary allows 6
    line = one_line(runner.invoke(app, [*args, "--runs", "5"]).output)
    assert f"{whatif_file}: mandate: the mandate's vocabulary allows 6 single changes" in line
    assert "at most 5" in line
    assert ran == [] and not out.exists()
    monkeypatch.setattr(whatif, "MAX_SINGLES", 6)
    assert whatif.check_cost(load(whatif_file), 46_511) == 6  # 43 x 46,511 < 2,000,000


def test_candidates_run_together_find_what_they_find_one_by_one(whatif_file, monkeypatch) -> None:
    """The search runs its candidates as one array of runs, in groups
    (`sim.explore.batched`); each gives the result it gives alone, so the search finds
    the same changes with the same numbers."""
    from sim.explore import batched, whatif
    from sim.explore.runner import run_point

    sc = load(whatif_file)
    sizes = []
    real = batched.run_points

    def spy(scenarios, detail=0):
        sizes.append(len(scenarios))
        return real(scenarios, detail)

    monkeypatch.setattr(batched, "run_points", spy)
    monkeypatch.setattr(batched, "group_size", lambda runs: 4)
    together = search(sc, "EGY", runs=RUNS)
    assert max(sizes) == 4 and sum(sizes) == 1 + len(vocabulary_changes(sc)) + together.tried_pairs
    base = override(sc, runs=RUNS)
    detail = min(whatif.DETAIL, RUNS)
    assert together.base == run_point(base, detail)  # each result is its candidate's own
    for c in together.found:
        assert c.result == run_point(whatif._apply(base, c.changes), detail), c.text()
    monkeypatch.setattr(batched, "run_points", lambda scs, d=0: [run_point(s, d) for s in scs])
    alone = search(sc, "EGY", runs=RUNS)
    assert together.found == alone.found and len(together.found) > 1
    assert [c.result for c in together.found] == [c.result for c in alone.found]


def test_candidates_are_grouped_up_to_a_batch_and_spread_over_the_workers() -> None:
    from sim.explore import batched, whatif

    assert batched.group_size(100) == 20 and batched.group_size(3000) == 1
    sizes = {  # (candidates, runs, workers): group sizes
        (7, 100, 2): [4, 3],  # one group would do: one for each worker
        (3, 100, 4): [1, 1, 1],  # never an empty group
        (50, 100, 1): [17, 16, 17],  # at most 20 runs x 100 each, as even as may be
        (5, 3000, 1): [1, 1, 1, 1, 1],  # a candidate fills a batch on its own
        (0, 100, 2): [],
    }
    for (n, runs, workers), expected in sizes.items():
        groups = whatif._groups(list(range(n)), runs, workers)
        assert [len(g) for g in groups] == expected
        assert [x for g in groups for x in g] == list(range(n))  # in order, each once
