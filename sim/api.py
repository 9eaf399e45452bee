"""The Python API: `sim.load`, `sim.run`, `sim.compare`, `sim.sweep` (docs/api.md).

The same work as the command line's `validate`, `run`, `compare` and `sweep`,
through the same code, returning Python objects instead of writing folders
(each result can `save` the folder its command writes). Bad input raises the
one-line `ScenarioError` the command line prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sim.results import Results, Table
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

ENGINES = ("fast", "mesa")


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file (as `forcegen validate`); raise ScenarioError."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load as load_file

    try:
        sc = load_file(path)
        compile_scenario(sc)  # what `forcegen validate` checks beyond the schema
    except ScenarioError as exc:
        if not exc.file:
            exc.file = str(path)
        raise
    return sc


def _whole(name: str, value: int | None, least: int) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or value < least
    ):
        raise ScenarioError(f"expected a whole number >= {least}, got {value!r}", name)


def run(
    scenario: str | Path | Scenario,
    runs: int | None = None,
    seed: int | None = None,
    engine: str = "fast",
    workers: int = 1,
    detail_runs: int = 50,
) -> Results:
    """Run a scenario's ensemble (as `forcegen run`) and return its `Results`.

    Args:
        scenario: a scenario file, or a scenario from `sim.load`.
        runs, seed: override the scenario's (None: its own).
        engine: "fast" (arrays) or "mesa" (the reference model); same tables.
        workers: processes to run on (capped at this machine's cores); same tables.
        detail_runs: runs that keep per-round detail (the rounds and states tables).
    """
    from sim.engine.ensemble import run_ensemble
    from sim.parallel import cores
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import override

    if engine not in ENGINES:
        raise ScenarioError(f"expected 'fast' or 'mesa', got {engine!r}", "engine")
    _whole("workers", workers, 1)
    _whole("detail_runs", detail_runs, 1)
    source = None
    if isinstance(scenario, Scenario):
        sc = scenario
    else:
        source = Path(scenario)
        sc = load(source)
    if runs is not None or seed is not None:
        try:
            sc = override(sc, runs=runs, seed=seed)
        except ScenarioError as exc:
            exc.file = exc.file or str(source or sc.name)
            raise
    C = compile_scenario(sc)
    tables = run_ensemble(C, detail=detail_runs, engine=engine, workers=min(workers, cores()))
    return Results(C, tables, engine, detail_runs, source)


def compare(paths: Iterable[str | Path], runs: int | None = None) -> Table:
    """Outcomes of two or more scenarios side by side (as `forcegen compare`).

    Returns the comparison table (`comparison.csv`): one row per scenario, in
    the order given. Every scenario is run here (nothing is read from or written
    to `results/`); `.save(folder)` writes the comparison folder, with each
    scenario's results folder inside it under `runs/`.
    """
    from dataclasses import replace

    from sim.explore.compare import DETAIL, Entry, comparison_table, load_all, write_compare
    from sim.explore.diff import diff
    from sim.explore.runner import simulate
    from sim.scenario.arrays import compile_scenario

    files = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    _whole("runs", runs, 1)
    if len(files) < 2:
        raise ScenarioError("compare needs at least two scenario files")
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
    sw = load_sweep(path, runs=runs, steps=steps)
    with make_executor(min(workers, cores())) as ex:
        result = run_sweep(sw, ex, PointCache(None))

    def write(final: Path) -> None:
        argv = ["forcegen", "sweep", str(path), "--out", str(final), "--runs", str(sw.runs)]
        write_sweep(sw, result, final, argv)

    return Table.of(result.table, write)
