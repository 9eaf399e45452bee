"""The notebook API refuses an argument of the wrong kind in one ScenarioError (or the
ValueError `charts` documents) naming the argument and what was expected, before
any run and before anything is written. Before, None or a number for a path was
pathlib's TypeError naming no argument, `progress=5` failed inside the engine after
the first batch, `discover(outcome=None)` was an AttributeError from the name
lookup, `method=5` was "'int' object is not iterable", `save(charts=None)` silently
wrote no charts, and `detail_runs` above the command line's bound was taken. A study's
setting refused in the command's words names the keyword argument, not the option the
command line spells it as (`threshold`, not `--threshold`)."""

from __future__ import annotations

import re
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


ROBUST = ROOT / "scenarios" / "sweeps" / "robust_mandates.yaml"
COST = r"sobol would cost [\d,]+ runs, above the cap of 2,000,000"
SETTINGS = {
    "compare([F])": (lambda: sim.compare([FLAGSHIP]), "paths: compare needs at least two .*"),
    "sensitivity(runs=0)": (
        lambda: sim.sensitivity(FLAGSHIP, runs=0),
        r"runs: expected a whole number >= 1, got 0",
    ),
    "sensitivity(method='pwan')": (
        lambda: sim.sensitivity(FLAGSHIP, method="pwan"),
        r"method: unknown method 'pwan' \(did you mean 'pawn'\?\)",
    ),
    "sensitivity(groups='nope')": (
        lambda: sim.sensitivity(FLAGSHIP, method="sobol", groups="nope"),
        r"groups: unknown grouping 'nope'.*",
    ),
    "sensitivity(groups=, no design)": (
        lambda: sim.sensitivity(FLAGSHIP, groups="actor"),
        r"groups: groups apply to sobol and morris only",
    ),
    "sensitivity(outcome='fromed')": (
        lambda: sim.sensitivity(FLAGSHIP, outcome="fromed"),
        r"outcome: unknown outcome 'fromed' \(did you mean 'formed'\?\)",
    ),
    "sensitivity(outcome='commit.pakk')": (
        lambda: sim.sensitivity(FLAGSHIP, outcome="commit.pakk"),
        r"outcome: unknown state 'pakk' \(did you mean 'PAK'\?\)",
    ),
    "sensitivity(a design above the cap)": (
        lambda: sim.sensitivity(FLAGSHIP, method="sobol", runs=10**6, groups="none"),
        rf"runs: {COST}; lower runs \(try groups='actor'\)",
    ),
    "discover(threshold=2)": (
        lambda: sim.discover(FLAGSHIP, threshold=2),
        r"threshold: expected a share in \(0, 1\], got 2",
    ),
    "discover(threshold='x')": (
        lambda: sim.discover(FLAGSHIP, threshold="x"),
        r"threshold: expected a share in \(0, 1\], got 'x'",
    ),
    "discover(runs=0)": (
        lambda: sim.discover(FLAGSHIP, runs=0),
        r"runs: expected a whole number >= 1, got 0",
    ),
    "discover(outcome='stalld')": (
        lambda: sim.discover(FLAGSHIP, outcome="stalld"),
        r"outcome: unknown outcome 'stalld' \(did you mean 'stalled'\?\)",
    ),
    "discover(outcome='commit.pakk')": (
        lambda: sim.discover(FLAGSHIP, outcome="commit.pakk"),
        r"outcome: unknown state 'pakk' \(did you mean 'PAK'\?\)",
    ),
    "discover(outcome='force')": (
        lambda: sim.discover(FLAGSHIP, outcome="force"),
        r"outcome: force is a number, .*",
    ),
    "robust(worlds=1)": (
        lambda: sim.robust(ROBUST, worlds=1),
        r"worlds: expected a whole number >= 2 and at most 10,000, got 1",
    ),
    "robust(runs_per_world=0)": (
        lambda: sim.robust(ROBUST, runs_per_world=0),
        r"runs_per_world: expected a whole number >= 1, got 0",
    ),
    "robust(seed=-1)": (
        lambda: sim.robust(ROBUST, seed=-1),
        r"seed: expected a whole number >= 0 and at most [\d,]+, got -1",
    ),
    "robust(worlds × runs_per_world)": (
        lambda: sim.robust(ROBUST, worlds=10_000, runs_per_world=200),
        r"worlds × runs_per_world: 4 candidates × 10,000 worlds × 200 runs per world = "
        r"8,000,000 runs; robust runs at most 2,000,000: lower worlds or runs_per_world, "
        r"or give the sweep fewer points",
    ),
    "sweep(runs=MAX_RUNS)": (
        lambda: sim.sweep(ROOT / "scenarios" / "sweeps" / "target_x_deadline.yaml", runs=10**6),
        r".*target_x_deadline\.yaml: axes, runs: \d+ points x 1,000,000 runs each \(runs\) = "
        r"[\d,]+ runs; a sweep runs at most 2,000,000: lower runs or give fewer values "
        r"\(or steps\) on its axes",
    ),
    "robust(criterion='regert')": (
        lambda: sim.robust(ROBUST, criterion="regert"),
        r"criterion: unknown criterion 'regert' \(did you mean 'regret'\?\)",
    ),
}
"""A study's setting refused from Python: the message names the keyword argument the
caller typed (`runs_per_world`), never the command line's option (`--runs-per-world`),
in the words and checks the command uses (tests/test_study_api.py compares the two)."""


@pytest.mark.parametrize("call", list(SETTINGS))
def test_a_refused_setting_names_the_argument_not_the_option(no_runs, call: str) -> None:
    fn, expected = SETTINGS[call]
    with pytest.raises(ScenarioError) as caught:
        fn()
    message = str(caught.value)
    assert re.fullmatch(expected, message), message
    assert "--" not in message  # no option of the command line, in the message or its hint


def test_the_table_format_check_names_the_field_it_is_given(monkeypatch) -> None:
    """`check_format` names what its caller typed: the command line's `--format` by
    default, the argument `format` when a Python caller passes that name."""
    import importlib.util

    from sim.output.table_format import NEEDS_PYARROW, check_format

    with pytest.raises(ScenarioError) as caught:
        check_format("xlsx", "format")
    assert str(caught.value) == "format: expected 'csv' or 'parquet', got 'xlsx'"
    with pytest.raises(ScenarioError) as caught:
        check_format("xlsx")
    assert str(caught.value) == "--format: expected 'csv' or 'parquet', got 'xlsx'"
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    with pytest.raises(ScenarioError) as caught:
        check_format("parquet", "format")
    assert str(caught.value) == (
        "format: 'parquet' needs the parquet extra: pip install 'forcegen[parquet]'"
    )
    with pytest.raises(ScenarioError) as caught:
        check_format("parquet")
    assert str(caught.value) == NEEDS_PYARROW


def test_save_refuses_a_folder_or_charts_of_the_wrong_kind(results, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="folder: expected a path"):
        results.save(None)
    with pytest.raises(ValueError, match=r"charts: expected png, svg, .* got None"):
        results.save(tmp_path / "x", charts=None)  # not 'none': no charts only when asked
    assert list(tmp_path.iterdir()) == []


def test_save_names_its_format_argument_not_the_option(results, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        results.save(tmp_path / "x", format="xlsx")
    assert str(caught.value) == "format: expected 'csv' or 'parquet', got 'xlsx'"
    assert list(tmp_path.iterdir()) == []


def test_a_tables_save_refuses_a_folder_of_the_wrong_kind(tmp_path: Path) -> None:
    table = sim.compare([FLAGSHIP, FUNDED], runs=2)
    with pytest.raises(ScenarioError, match="folder: expected a path"):
        table.save(3)
    assert list(tmp_path.iterdir()) == []
