"""The notebook API refuses an argument of the wrong kind in one ScenarioError (or the
ValueError `charts` documents) naming the argument and what was expected, before
any run and before anything is written. Before, None or a number for a path was
pathlib's TypeError naming no argument, `progress=5` failed inside the engine after
the first batch, `discover(outcome=None)` was an AttributeError from the name
lookup, `method=5` was "'int' object is not iterable", `save(charts=None)` silently
wrote no charts, and `detail_runs` above the command line's bound was taken."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
FUNDED = ROOT / "scenarios" / "isf" / "funded.yaml"


@pytest.fixture(scope="module")
def results() -> sim.Results:
    return sim.run(FLAGSHIP, runs=4)


@pytest.fixture
def no_runs(monkeypatch):
    """Any ensemble started fails the test: a refusal comes before any work."""
    import sim.engine.ensemble as ensemble

    def ran(*_a, **_k):
        raise AssertionError("an ensemble ran before the argument was refused")

    monkeypatch.setattr(ensemble, "run_ensemble", ran)


CALLS = {
    "load(None)": (lambda: sim.load(None), "path: expected a path"),
    "run(None)": (lambda: sim.run(None, runs=2), "scenario: expected a path"),
    "run(3)": (lambda: sim.run(3, runs=2), "scenario: expected a path (a str or a pathlib"),
    "run(progress=5)": (
        lambda: sim.run(FLAGSHIP, runs=2, progress=5),
        "progress: expected a function of the runs done, got 5",
    ),
    "run(detail_runs=10**12)": (
        lambda: sim.run(FLAGSHIP, runs=2, detail_runs=10**12),
        "detail_runs: expected a whole number >= 1 and at most 1,000,000",
    ),
    "compare(None)": (lambda: sim.compare(None), "paths: expected a list of scenario files"),
    "compare([F, None])": (lambda: sim.compare([FLAGSHIP, None]), "paths: expected a path"),
    "sweep(None)": (lambda: sim.sweep(None), "path: expected a path"),
    "robust(None)": (lambda: sim.robust(None), "path: expected a path"),
    "sensitivity(None)": (lambda: sim.sensitivity(None), "scenario: expected a path"),
    "sensitivity(method=5)": (
        lambda: sim.sensitivity(FLAGSHIP, method=5),
        "method: expected a name or a list of names, got 5",
    ),
    "sensitivity(outcome=[1])": (
        lambda: sim.sensitivity(FLAGSHIP, outcome=["formed", 1]),
        "outcome: expected a name or a list of names",
    ),
    "discover(None)": (lambda: sim.discover(None), "scenario: expected a path"),
    "discover(outcome=None)": (
        lambda: sim.discover(FLAGSHIP, outcome=None),
        "outcome: expected one outcome's name, got None",
    ),
    "discover(outcome=[...])": (
        lambda: sim.discover(FLAGSHIP, outcome=["stalled"]),
        "outcome: expected one outcome's name, got ['stalled']",
    ),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_a_wrong_argument_is_one_error_naming_it(no_runs, call: str) -> None:
    fn, expected = CALLS[call]
    with pytest.raises(ScenarioError) as caught:
        fn()
    assert expected in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1


def test_save_refuses_a_folder_or_charts_of_the_wrong_kind(results, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="folder: expected a path"):
        results.save(None)
    with pytest.raises(ValueError, match=r"charts: expected png, svg, .* got None"):
        results.save(tmp_path / "x", charts=None)  # not 'none': no charts only when asked
    assert list(tmp_path.iterdir()) == []


def test_a_tables_save_refuses_a_folder_of_the_wrong_kind(tmp_path: Path) -> None:
    table = sim.compare([FLAGSHIP, FUNDED], runs=2)
    with pytest.raises(ScenarioError, match="folder: expected a path"):
        table.save(3)
    assert list(tmp_path.iterdir()) == []
