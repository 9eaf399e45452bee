"""The Python API: `sim.load`, `sim.run`, `sim.compare`, `sim.sweep`, and the studies
`sim.sensitivity`, `sim.discover`, `sim.robust` (docs/api.md).

The same work as the command line's `validate`, `run`, `compare`, `sweep`,
`sensitivity`, `discover` and `robust`, through the same code, returning Python
objects instead of writing folders (each result can `save` the folder its
command writes). Bad input raises the one-line `ScenarioError` the command line
prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sim.results import Results, Table, check_path
from sim.scenario.errors import ScenarioError, shown
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.study.results import Discovery, Robustness, Sensitivity

ENGINES = ("fast", "mesa")


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file (as `forcegen validate`); raise ScenarioError."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load as load_file

    path = check_path("path", path)
    try:
        sc = load_file(path)
        compile_scenario(sc)  # what `forcegen validate` checks beyond the schema
    except ScenarioError as exc:
        if not exc.file:
            exc.file = str(path)
        raise
    return sc


def _whole(name: str, value: int | None, least: int, most: int | None = None) -> None:
    if value is not None and (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < least
        or (most is not None and value > most)
    ):
        top = "" if most is None else f" and at most {most:,}"
        raise ScenarioError(f"expected a whole number >= {least}{top}, got {shown(value)}", name)


def _typed(name: str, value: object, least: int) -> None:
    """Refuse a count that is not a whole number; its range is the command's own check."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        _whole(name, value, least)


def _names(name: str, value: str | Iterable[str] | None) -> list[str]:
    """One name or several, as a list; anything else refused naming the argument."""
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Iterable) or not all(isinstance(n, str) for n in names):
        raise ScenarioError(f"expected a name or a list of names, got {shown(value)}", name)
    return list(names)


def _source(value: object) -> Path | None:
    """A study's `scenario`: None for the Results of `sim.run`, else the file's Path."""
    return None if isinstance(value, Results) else check_path("scenario", value)


def run(
    scenario: str | Path | Scenario,
    runs: int | None = None,
    seed: int | None = None,
    engine: str = "fast",
    workers: int = 1,
    detail_runs: int = 50,
    progress: Callable[[int], None] | None = None,
) -> Results:
    """Run a scenario's ensemble (as `forcegen run`) and return its `Results`.

    Args:
        scenario: a scenario file, or a scenario from `sim.load`.
        runs, seed: override the scenario's (None: its own).
        engine: "fast" (arrays) or "mesa" (the reference model); same tables.
        workers: processes to run on (capped at this machine's cores); same tables.
        detail_runs: runs that keep per-round detail (the rounds and states tables).
        progress: called with the number of runs each finished batch adds (a bar).
    """
    from sim.engine.ensemble import run_ensemble
    from sim.parallel import cores
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import override

    if engine not in ENGINES:
        raise ScenarioError(f"expected 'fast' or 'mesa', got {engine!r}", "engine")
    from sim.limits import MAX_RUNS

    _whole("workers", workers, 1)
    _whole("detail_runs", detail_runs, 1, MAX_RUNS)
    if progress is not None and not callable(progress):
        raise ScenarioError(
            f"expected a function of the runs done, got {shown(progress)}", "progress"
        )
    source = None
    if isinstance(scenario, Scenario):
        sc = scenario
    else:
        source = check_path("scenario", scenario)
        sc = load(source)
    if runs is not None or seed is not None:
        try:
            sc = override(sc, runs=runs, seed=seed)
        except ScenarioError as exc:
            exc.file = exc.file or str(source or sc.name)
            raise
    C = compile_scenario(sc)
    tables = run_ensemble(
        C, detail=detail_runs, engine=engine, workers=min(workers, cores()), progress=progress
    )
    return Results(C, tables, engine, detail_runs, source)


def compare(paths: Iterable[str | Path], runs: int | None = None) -> Table:
    """Outcomes of two or more scenarios side by side (as `forcegen compare`).

    Returns the comparison table (`comparison.csv`): one row per scenario, in
    the order given. Every scenario is run here (nothing is read from or written
    to `results/`); `.save(folder)` writes the comparison folder, with each
    scenario's results folder inside it under `runs/`.
    """
    from dataclasses import replace

    from sim.explore.compare import DETAIL, Entry, comparison_table, write_compare
    from sim.explore.diff import diff
    from sim.explore.runner import simulate
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load_all

    if isinstance(paths, str | Path):
        paths = [paths]
    if not isinstance(paths, Iterable):
        raise ScenarioError(f"expected a list of scenario files, got {shown(paths)}", "paths")
    files = [check_path("paths", p) for p in paths]
    _whole("runs", runs, 1)
    if len(files) < 2:
        raise ScenarioError("compare needs at least two scenario files", "paths")
    scenarios = load_all(files, runs)
    entries, ensembles = [], []
    for f, sc in zip(files, scenarios, strict=True):
        C = compile_scenario(sc)
        tables, _ = simulate(C, detail=DETAIL)
        ensembles.append(Results(C, tables, "fast", DETAIL, f))
        entries.append(
            Entry(str(f), sc, tables["runs"], tables["commits"], tables["bands"], False, f)
        )

    def write(final: Path) -> None:
        placed = []
        for e, res in zip(entries, ensembles, strict=True):
            folder = final / "runs" / e.name
            pending = (res.compiled, res.tables, res.command(folder))
            placed.append(replace(e, folder=folder, pending=pending))
        argv = ["forcegen", "compare", *map(str, files), "--out", str(final)]
        if runs is not None:
            argv += ["--runs", str(runs)]
        write_compare(placed, diff(scenarios), final, argv)

    return Table.of(comparison_table(entries), write)


def sweep(
    path: str | Path,
    runs: int | None = None,
    steps: int | None = None,
    workers: int = 1,
) -> Table:
    """A sweep file's points and their outcomes (as `forcegen sweep`).

    Returns the sweep table (`sweep.csv`): one row per point. Nothing is cached
    on disk; `.save(folder)` writes the sweep folder (table, tipping points,
    charts, report).
    """
    from sim.explore.cache import PointCache
    from sim.explore.sweep import load_sweep, run_sweep, write_sweep
    from sim.parallel import cores, make_executor

    _whole("runs", runs, 1)
    _whole("steps", steps, 1)
    _whole("workers", workers, 1)
    path = check_path("path", path)
    sw = load_sweep(path, runs=runs, steps=steps, flag="")
    with make_executor(min(workers, cores())) as ex:
        result = run_sweep(sw, ex, PointCache(None))

    def write(final: Path) -> None:
        argv = ["forcegen", "sweep", str(path), "--out", str(final), "--runs", str(sw.runs)]
        write_sweep(sw, result, final, argv)

    return Table.of(result.table, write)


def sensitivity(
    scenario: str | Path | Results,
    method: str | Iterable[str] = "pawn",
    outcome: str | Iterable[str] | None = None,
    runs: int | None = None,
    seed: int | None = None,
    groups: str | None = None,
    workers: int = 1,
) -> Sensitivity:
    """Which judgement calls drive the outcome (as `forcegen sensitivity`).

    Args:
        scenario: a scenario file (run here, or sampled by a design method), or the
            `Results` of `sim.run`, whose runs are analysed as given data (no new
            runs; as `--from` a results folder; delta, pawn and rbd_fast only).
        method: pawn (default), delta, rbd_fast, sobol or morris, or a list of them.
        outcome: formed, formed_or_undersized, force or commit.<STATE>, or a list
            (None: formed, force and every state's commitment that varies).
        runs: runs (given-data methods), base samples (sobol) or trajectories (morris).
        seed: overrides the scenario's. groups: none or actor (sobol and morris).
        workers: processes to run and analyse on (capped at this machine's cores).

    Returns a `Sensitivity`: `table` (sensitivity.csv), `top()`, `text`,
    `figure()`, `save(folder)`.
    """
    from sim.study.names import as_argument
    from sim.study.results import Sensitivity
    from sim.study.sensitivity import Request, make_study

    _typed("runs", runs, 1)
    _typed("seed", seed, 0)
    _whole("workers", workers, 1)
    methods, outcomes = _names("method", method), _names("outcome", outcome)
    given = scenario if isinstance(scenario, Results) else None
    path = _source(scenario)
    if given is not None:
        path = given.source if given.source is not None else Path(given.scenario.name)
    req = Request(
        path, methods, outcomes, runs, seed, None, None, workers, groups, 10, given, as_argument
    )
    return Sensitivity(make_study(req), req)


def discover(
    scenario: str | Path | Results,
    outcome: str = "stalled",
    threshold: float = 0.8,
    runs: int | None = None,
    seed: int | None = None,
) -> Discovery:
    """The ranges of judgement calls under which an outcome happens (as `forcegen discover`).

    Args:
        scenario: a scenario file (run here, with `runs` and `seed`), or the
            `Results` of `sim.run`, whose runs are read (no new runs).
        outcome: stalled, formed, undersized, formed_or_undersized or commit.<STATE>.
        threshold: the density a box should reach, in (0, 1].

    Returns a `Discovery`: `table` (boxes.csv), `kept`, `trajectory`, `text`
    (the boxes in words; also `describe()`), `figure()` (the trade-off chart),
    `save(folder)`.
    """
    from sim.study.discover import _argv
    from sim.study.discover import discover as find
    from sim.study.names import as_argument
    from sim.study.results import Discovery

    _typed("runs", runs, 1)
    _typed("seed", seed, 0)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ScenarioError(f"expected a share in (0, 1], got {threshold!r}", "threshold")
    if not isinstance(outcome, str):
        raise ScenarioError(f"expected one outcome's name, got {shown(outcome)}", "outcome")
    given = scenario if isinstance(scenario, Results) else None
    path = _source(scenario)
    if given is not None:
        path = given.source if given.source is not None else Path(given.scenario.name)
    found = find(path, outcome, None, runs, seed, threshold, results=given, spell=as_argument)
    if given is not None:  # the command that runs the same ensemble
        runs, seed = given.scenario.run.runs, given.scenario.run.seed
    outcome = found.info["outcome"]
    return Discovery(found, lambda final: _argv(path, outcome, None, runs, seed, final, threshold))


def robust(
    path: str | Path,
    worlds: int = 50,
    runs_per_world: int = 20,
    criterion: str = "worst_decile",
    seed: int | None = None,
    workers: int = 1,
) -> Robustness:
    """Rank a sweep's candidate mandates across sampled worlds (as `forcegen robust`).

    Args:
        path: a sweep file whose axes are levers (mandate terms, broker settings).
        worlds: Latin-hypercube worlds of the judgement ranges (at least 2).
        runs_per_world: runs of every candidate in every world.
        criterion: worst_decile (default), regret or mean: what ranks them.
        seed: overrides the sweep's. workers: processes (capped at this machine's cores).

    Returns a `Robustness`: `table` (robust.csv), `worlds` (worlds.csv), `text`,
    `figure()`, `save(folder)`.
    """
    from sim.parallel import cores
    from sim.study.names import as_argument
    from sim.study.results import Robustness
    from sim.study.robust import load_study, run_study

    _typed("worlds", worlds, 2)
    _typed("runs_per_world", runs_per_world, 1)
    _typed("seed", seed, 0)
    _whole("workers", workers, 1)
    path = check_path("path", path)
    st = load_study(path, worlds, runs_per_world, criterion, seed, as_argument)
    return Robustness(run_study(st, min(workers, cores()), None), path)
