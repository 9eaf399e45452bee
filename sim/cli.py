"""The forcegen command line: thin wrappers over load -> engine -> tables -> results."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sim.scenario.errors import ScenarioError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Force-generation negotiation simulator: which states contribute, in what form, and why.",
)
out = Console()
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="A scenario YAML file.")]


def fail(message: str) -> None:
    """Bad input: one line on stderr, exit status 2, no traceback."""
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def load_compiled(path: Path, **run):
    """Load, override run settings, compile; refuse bad input with one line."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load, override

    try:
        sc = load(path)
        if any(v is not None for v in run.values()):
            sc = override(sc, **run)
    except ScenarioError as exc:
        if not exc.file:
            exc.file = str(path)
        fail(str(exc))
    return compile_scenario(sc)


def run_with_progress(C, engine: str, detail: int, quiet: bool):
    """Run the ensemble with a progress bar on stderr."""
    from sim.engine.ensemble import run_ensemble

    runs = C.scenario.run.runs
    if quiet:
        return run_ensemble(C, detail=detail, engine=engine)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{C.scenario.name} ({engine})", total=runs)
        return run_ensemble(
            C, detail=detail, engine=engine, progress=lambda n: bar.advance(task, n)
        )


@app.command()
def run(
    scenario: ScenarioArg,
    runs: Annotated[int | None, typer.Option(help="Runs (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder.")] = None,
    engine: Annotated[str, typer.Option(help="fast (arrays) or mesa (reference).")] = "fast",
    detail_runs: Annotated[int, typer.Option(help="Runs with per-round detail.", min=1)] = 50,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
) -> None:
    """Run a scenario's ensemble and write tables, charts and a report."""
    from sim.analysis.console import print_summary
    from sim.output.write import write_results

    if engine not in ("fast", "mesa"):
        fail(f"--engine: expected 'fast' or 'mesa', got {engine!r}")
    C = load_compiled(scenario, runs=runs, seed=seed)
    tables = run_with_progress(C, engine, detail_runs, quiet)
    final = out_dir or Path("results") / C.scenario.name
    argv = [
        "forcegen",
        "run",
        str(scenario),
        "--runs",
        str(C.scenario.run.runs),
        "--seed",
        str(C.scenario.run.seed),
        "--out",
        str(final),
        "--engine",
        engine,
        "--detail-runs",
        str(detail_runs),
    ]
    summary = write_results(C, tables, final, engine, detail_runs, argv)
    if not quiet:
        print_summary(out, C, summary)
    out.print(f"results: {final}", highlight=False)


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Print the resolved scenario, or the first error in one line."""
    import yaml

    C = load_compiled(scenario)
    data = C.scenario.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    out.print(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True), markup=False, highlight=False
    )


@app.command()
def explain(
    scenario: ScenarioArg,
    state: Annotated[str, typer.Option("--state", help="The state to explain (its id).")],
    run_id: Annotated[
        int | None, typer.Option("--run", help="Run number (default: the representative run).")
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
) -> None:
    """Why one state did what it did, week by week, in one run."""
    from sim.analysis import explain as ex

    C = load_compiled(scenario)
    if state not in C.states:
        fail(f"--state: unknown state {state!r}; expected one of: {', '.join(C.states)}")
    if run_id is not None and not 0 <= run_id < C.scenario.run.runs:
        fail(f"--run: expected a run number from 0 to {C.scenario.run.runs - 1}, got {run_id}")
    result = ex.explain(C, state, run_id)
    folder = out_dir or Path("results") / f"{C.scenario.name}-explain"
    path = ex.write(result, folder)
    ex.print_explanation(out, result)
    out.print(f"explanation: {path}", highlight=False)


def main() -> None:
    """Entry point for the `forcegen` script and `python -m sim`."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted: no results folder was completed")
        sys.exit(130)
