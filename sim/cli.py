"""The forcegen command line: thin wrappers over load -> engine -> tables -> results.

Start-up is kept light (`forcegen --help` imports typer and little else): each
command imports what it needs (numpy, pandas, matplotlib, the engine, rich's
console and progress bar, the process pool) when it runs.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim import interrupt
from sim.limits import MAX_RUNS, MAX_STEPS
from sim.output import formats as chart_files
from sim.output.folder import FolderError, check_target
from sim.scenario.errors import ScenarioError, resolve_name
from sim.study import names

if TYPE_CHECKING:
    from rich.console import Console

try:  # typer >= 0.24 carries its own copy of Click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer uses Click itself
    from click import exceptions as click_errors

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Force-generation negotiation simulator: which states contribute, in what form, and why.",
)


class LazyConsole:
    """Stands for a rich Console until one is needed (importing rich costs ~0.1 s
    at start-up): attribute access makes the Console. Every command replaces
    `out` and `err` by the Consoles themselves first (`real_consoles`), so what
    the commands hand on (to progress bars, which enter the console as a context
    manager) is always a Console."""

    def __init__(self, stderr: bool = False) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def real(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._stderr)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.real(), name)


out: Console | LazyConsole = LazyConsole()
err: Console | LazyConsole = LazyConsole(stderr=True)


def real_consoles() -> None:
    """Make `out` and `err` the rich Consoles they stand for (once, before a command)."""
    global out, err
    if isinstance(out, LazyConsole):
        out = out.real()
    if isinstance(err, LazyConsole):
        err = err.real()


ScenarioArg = Annotated[Path, typer.Argument(help="A scenario YAML file.")]

NO_FOLDER = "interrupted: no results folder was written (an earlier one is left as it was)"
WORKER_DIED = (
    "a worker process stopped unexpectedly (killed, or out of memory); nothing was written"
)


def fail(message: str, code: int = 2) -> None:
    """Bad input (exit 2) or a fault of the environment (exit 1): one line on stderr."""
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def note(message: str) -> None:
    """One line on stderr that is not an error."""
    err.print(f"note: {message}", markup=False, highlight=False, soft_wrap=True)


def guarded(interrupted: str = NO_FOLDER):
    """Turn every expected failure of a command into one line and an exit status.

    Bad input and an output folder forcegen may not use: 2; a fault of the
    environment (read-only or full disk, a worker killed): 1; Ctrl-C: 130.
    """

    def wrap(command):
        @functools.wraps(command)
        def guarded_command(*args, **kwargs):
            real_consoles()
            try:
                with interrupt.watching():
                    try:
                        result = command(*args, **kwargs)
                    except Exception:
                        # an interrupt a library wrapped in its own error (numba: SystemError)
                        interrupt.check()
                        raise
                    interrupt.check()  # a Ctrl-C a library swallowed still ends with 130
                    return result
            except KeyboardInterrupt:
                err.print(interrupted, markup=False, highlight=False, soft_wrap=True)
                raise typer.Exit(130) from None
            except FolderError as exc:
                fail(str(exc), exc.code)
            except ScenarioError as exc:
                fail(str(exc))
            except OSError as exc:
                where = f"{exc.filename}: " if exc.filename else ""
                fail(f"{where}{exc.strerror or exc}", 1)
            except Exception as exc:
                # the pool's errors, without importing the pool for `--help`: a
                # module that is not imported cannot have raised its error
                if raised(exc, "sim.parallel", "ExecutorError"):
                    fail(str(exc))
                if raised(exc, "concurrent.futures.process", "BrokenProcessPool"):
                    fail(WORKER_DIED, 1)
                raise

        return guarded_command

    return wrap


def raised(exc: BaseException, module: str, name: str) -> bool:
    """Whether `exc` is `module.name`, if that module was imported at all."""
    loaded = sys.modules.get(module)
    return loaded is not None and isinstance(exc, getattr(loaded, name))


def check_out(final: Path, given: bool) -> None:
    """Refuse, before any work, an output folder forcegen may not write."""
    try:
        check_target(final, "--out" if given else "output folder")
    except FolderError as exc:
        fail(str(exc), exc.code)


def cap_workers(workers: int, scheduler: str | None = None) -> int:
    """At most one worker per core on this machine (a remote Dask scheduler is not capped)."""
    from sim.parallel import cores

    if scheduler and scheduler != "local":
        return workers
    n = cores()
    if workers > n:
        note(f"--workers {workers}: this machine has {n} cores; using {n}")
        return n
    return workers


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


def check_run(path: Path, sc, **run) -> None:
    """Refuse run settings (--runs, --seed) the scenario file does not take, naming the
    file and the field as `run` does (`load_compiled`), before any work. `sc` is the file
    as the command already loaded it, so it is not read again (None: the loader refused
    it, and refuses it here again, naming the file, when a setting was given)."""
    if all(v is None for v in run.values()):
        return
    from sim.scenario.loader import load, override

    try:
        override(sc if sc is not None else load(path), **run)
    except ScenarioError as exc:
        if not exc.file:
            exc.file = str(path)
        fail(str(exc))


def run_with_progress(C, engine: str, detail: int, quiet: bool, executor=None):
    """Run the ensemble (on `executor`, else here) with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from sim.engine.ensemble import run_ensemble

    runs = C.scenario.run.runs
    if quiet or not err.is_terminal:  # a bar on a pipe or a file only leaves a blank line
        return run_ensemble(C, detail=detail, engine=engine, executor=executor)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # Redrawn as batches finish, not by a refresh thread: a process with a second
    # thread may not fork the helper that shares the batches (`sim.fork`).
    with Progress(*columns, console=err, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(f"{C.scenario.name} ({engine})", total=runs)

        def advance(n: int) -> None:
            bar.advance(task, n)
            bar.refresh()

        return run_ensemble(C, detail=detail, engine=engine, executor=executor, progress=advance)


INT64 = 2**63 - 1
"""The largest count any option takes (a seed, a run number, a count of workers)."""


def whole(low: int, high: int = INT64):
    """A typer callback refusing an integer option outside `low`..`high` as the command
    line is read (before any work): one line naming the option, exit status 2."""

    def check(param: typer.CallbackParam, value: int | None) -> int | None:
        if value is not None and not low <= value <= high:
            from sim.scenario.errors import shown

            option = param.opts[0] if param.opts else f"--{param.name}"
            fail(
                f"{option}: expected a whole number >= {low} and at most {high:,}, "
                f"got {shown(value)}"
            )
        return value

    return check


WorkersOpt = Annotated[
    int,
    typer.Option(
        help="Worker processes (0: all cores when the command's total runs make it worth it, "
        "else one; more than the cores: the cores, with a note). Same results.",
        callback=whole(0),
    ),
]


def scheduler_address(value: str | None) -> str | None:
    """--scheduler, checked as the command line is read (before any work, on every
    command that takes it): 'local' or tcp://HOST:PORT, else one line and exit 2."""
    if value is None:
        return None
    from sim.parallel import ExecutorError, check_scheduler

    try:
        return check_scheduler(value)
    except ExecutorError as exc:
        fail(str(exc))


SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        help="Dask scheduler address, tcp://HOST:PORT (or HOST:PORT), or 'local' for a "
        "LocalCluster (the dask extra).",
        callback=scheduler_address,
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", help="Tables as csv or parquet (the parquet extra)."),
]
FormatsOpt = Annotated[
    str,
    typer.Option(
        "--formats",
        help="Chart files: png (the default), svg, png,svg, or none (no chart files).",
    ),
]


def chart_formats(text: str) -> tuple[str, ...]:
    """The --formats value as formats, or one line and exit status 2."""
    try:
        return chart_files.parse(text)
    except ValueError as exc:
        fail(str(exc))


@app.command()
@guarded()
def run(
    scenario: ScenarioArg,
    runs: Annotated[int | None, typer.Option(help="Runs (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Results folder.")] = None,
    engine: Annotated[str, typer.Option(help="fast (arrays) or mesa (reference).")] = "fast",
    detail_runs: Annotated[
        int,
        typer.Option(
            help=f"Runs with per-round detail: the first K, 1 to {MAX_RUNS:,} "
            "(above the run count: every run; the manifest records K as given).",
            callback=whole(1, MAX_RUNS),
        ),
    ] = 50,
    quiet: Annotated[bool, typer.Option(help="No progress bar or summary.")] = False,
    workers: WorkersOpt = 0,
    scheduler: SchedulerOpt = None,
    fmt: FormatOpt = "csv",
    formats: FormatsOpt = "png",
) -> None:
    """Run a scenario's ensemble and write tables, charts and a report."""
    from sim.output.table_format import check_format

    if engine not in ("fast", "mesa"):
        fail(f"--engine: expected 'fast' or 'mesa', got {engine!r}")
    check_format(fmt)
    drawn = chart_formats(formats)
    C = load_compiled(scenario, runs=runs, seed=seed)
    check_out(out_dir or Path("results") / C.scenario.name, out_dir is not None)
    from sim.parallel import CHARTS, ENGINE, WRITE, make_executor  # after the input is checked:
    from sim.workers import run_cost  # a refusal imports only what checks it

    ex = make_executor(
        cap_workers(workers, scheduler),
        scheduler,
        C.scenario.run.runs,
        engine,
        (*(CHARTS if drawn else ENGINE), *WRITE),
        run_seconds=run_cost(C, engine),
    )
    with chart_files.formats(drawn):
        summary, final = _run_and_write(C, scenario, out_dir, engine, detail_runs, quiet, ex, fmt)
    if not quiet:
        from sim.analysis.console import print_summary

        print_summary(out, C, summary)
    out.print(f"results: {final}", highlight=False)


def _note(text: str) -> None:
    """A one-line note on stderr (not an error: the command goes on)."""
    err.print(text, markup=False, highlight=False, soft_wrap=True)


def _run_and_write(C, scenario, out_dir, engine, detail_runs, quiet, executor, fmt="csv"):
    """Run the ensemble and write the results folder (atomically) on one executor
    (stopped on failure, then half-written folders removed); return the summary."""
    with executor:
        tables = run_with_progress(C, engine, detail_runs, quiet, executor)
        # Imported after the runs: a forked helper's runs overlap it (`sim.fork._warm`).
        from sim.output.write import run_command, write_results

        final = out_dir or Path("results") / C.scenario.name
        argv = run_command(scenario, C, final, engine, detail_runs, fmt)
        summary = write_results(
            C, tables, final, engine, detail_runs, argv, executor, notify=_note, fmt=fmt
        )
    return summary, final


@app.command()
@guarded()
def validate(scenario: ScenarioArg) -> None:
    """Print the resolved scenario, or the first error in one line."""
    import yaml

    C = load_compiled(scenario)
    data = C.scenario.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)


@app.command()
@guarded()
def explain(
    scenario: ScenarioArg,
    state: Annotated[str, typer.Option("--state", help="The state to explain (its id).")],
    run_id: Annotated[
        int | None,
        typer.Option(
            "--run",
            help="Run number, 0 to the scenario's runs - 1 (default: the representative run).",
        ),
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    formats: FormatsOpt = "png",
) -> None:
    """Why one state did what it did, week by week, in one run."""
    drawn = chart_formats(formats)
    C = load_compiled(scenario)
    state = resolve_name("state", state, C.states, "--state")
    runs = C.scenario.run.runs  # the ensemble the representative run is chosen from
    if run_id is not None and not 0 <= run_id < runs:
        fail(
            f"--run: expected a run number from 0 to {runs - 1} "
            f"(the scenario's {runs:,} runs), got {run_id}"
        )
    folder = out_dir or Path("results") / f"{C.scenario.name}-explain-{state}"
    check_out(folder, out_dir is not None)
    from sim.analysis import explain as ex  # after the input is checked (pandas, matplotlib)

    result = ex.explain(C, state, run_id)
    with chart_files.formats(drawn):
        path = ex.write(result, folder)
    ex.print_explanation(out, result)
    out.print(f"explanation: {path}", highlight=False)


@app.command()
@guarded("interrupted: the game was stopped; no folder was written")
def play(
    scenario: ScenarioArg,
    seats: Annotated[
        list[str], typer.Option("--as", help="A state to play (repeat for several seats).")
    ],
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder.")] = None,
    formats: FormatsOpt = "png",
) -> None:
    """Classroom mode: take seats at the table and play against the model."""
    drawn = chart_formats(formats)
    C = load_compiled(scenario, seed=seed)
    seats = list(dict.fromkeys(resolve_name("state", code, C.states, "--as") for code in seats))
    folder = out_dir or Path("results") / f"{C.scenario.name}-play"
    check_out(folder, out_dir is not None)
    from sim.teach.play import play as play_game  # after the input is checked

    with chart_files.formats(drawn):
        game, path = play_game(C, seats, C.scenario.run.seed, folder, out)
    if game.ended_early:
        out.print(
            f"input ended in week {game.ended_early}: game stopped; transcript so far: {path}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(getattr(game, "exit_status", 0))  # 3: input ended before the game did
    out.print(f"transcript and charts: {path.parent}", highlight=False)


@app.command()
@guarded("stopped: the page is no longer served")
def serve(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="A scenario to open: shipped, or a local file whose folder's scenarios join the list (default: the flagship)."
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.", min=1, max=65535)] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to serve on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
) -> None:
    """The classroom in the browser: explore mandates, watch a run, play as a class."""
    try:
        from sim.web import assets, scenarios, server
    except ImportError:
        fail("forcegen serve needs the web extra: pip install 'forcegen[web]'")
    try:
        assets.check(assets.cdn_dir())
    except assets.AssetsError as exc:
        fail(str(exc))
    rel = scenarios.resolve(scenario) if scenario is not None else None
    problem = server.bind_problem(host, port)  # an empty host, a name that does not
    if problem is not None:  # resolve, an address not here, a port in use or not allowed
        fail(problem)
    where = "this machine only" if host in ("127.0.0.1", "localhost", "::1") else "the network"
    out.print(
        f"forcegen serve: http://{host}:{port}/ ({where}; Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    server.serve(host, port, rel)


def explore_errors(call, *args) -> None:
    """Run an explore command (its errors become one line through `guarded`)."""
    call(*args)


@app.command()
@guarded()
def compare(
    scenarios: Annotated[list[Path], typer.Argument(help="Two or more scenario YAML files.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Comparison folder.")] = None,
    runs: Annotated[int | None, typer.Option(help="Runs per scenario (default: its own).")] = None,
    workers: WorkersOpt = 0,
    scheduler: SchedulerOpt = None,
    formats: FormatsOpt = "png",
) -> None:
    """Diff scenarios clause by clause and compare their outcomes side by side."""
    from sim.explore import commands

    drawn = chart_formats(formats)
    workers = cap_workers(workers, scheduler)
    with chart_files.formats(drawn):
        explore_errors(commands.compare, scenarios, out_dir, runs, workers, scheduler, out, err)


@app.command()
@guarded(
    "interrupted: no sweep folder was written; finished points are kept in the cache, "
    "so the same command resumes"
)
def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="A sweep YAML file (see docs/explore.md).")],
    workers: WorkersOpt = 0,
    scheduler: SchedulerOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Sweep folder.")] = None,
    runs: Annotated[int | None, typer.Option(help="Runs per point (default: the file's).")] = None,
    steps: Annotated[
        int | None,
        typer.Option(
            help=f"Override the steps of range axes (2 to {MAX_STEPS:,}).",
            callback=whole(2, MAX_STEPS),
        ),
    ] = None,
    cache: Annotated[Path, typer.Option(help="Folder of finished points.")] = Path(".sweep-cache"),
    fmt: FormatOpt = "csv",
    formats: FormatsOpt = "png",
) -> None:
    """Sweep mandate terms or actor parameters over a grid or a Latin hypercube."""
    from sim.explore import commands
    from sim.output.table_format import check_format

    check_format(fmt)
    drawn = chart_formats(formats)
    check_cache(cache)
    workers = cap_workers(workers, scheduler)
    sweep_as = functools.partial(commands.sweep, fmt=fmt)
    with chart_files.formats(drawn):
        explore_errors(
            sweep_as, sweep_file, out_dir, runs, steps, workers, scheduler, cache, out, err
        )


def _file_at(paths) -> Path | None:
    """The first of `paths` that exists, when it is not a folder (None otherwise)."""
    for path in paths:
        if path.exists() or path.is_symlink():
            return None if path.is_dir() else path
    return None


def check_file_folder(file: Path, option: str = "--out") -> None:
    """Refuse a file name under a file (`afile/x.json` where afile is a file), naming it."""
    above = _file_at(file.parents)
    if above is not None:
        fail(f"{option} {str(file)!r}: expected a file in a folder; {str(above)!r} is a file")


def check_cache(cache: Path) -> None:
    """Refuse a --cache that is a file, or lies under one."""
    found = _file_at((cache, *cache.parents))
    if found is not None:
        where = "" if found == cache else f" ({str(found)!r} is a file)"
        fail(f"--cache {str(cache)!r}: expected a folder{where}")


@app.command()
@guarded("interrupted: nothing was written")
def whatif(
    scenario: ScenarioArg,
    state: Annotated[str, typer.Option(help="The state to bring in (ISO3 code).")],
    runs: Annotated[int, typer.Option(help="Runs per candidate change.")] = 100,
    workers: WorkersOpt = 0,
    scheduler: SchedulerOpt = None,
    top: Annotated[int, typer.Option(help="Changes to list (at least 1).", callback=whole(1))] = 5,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Also write whatif.csv/.md.")
    ] = None,
) -> None:
    """The smallest mandate changes that bring a state in, and what they cost."""
    from sim.explore import commands

    workers = cap_workers(workers, scheduler)
    explore_errors(
        commands.whatif, scenario, state, runs, workers, scheduler, top, out_dir, out, err
    )


@app.command("schema")
@guarded("interrupted: nothing was written")
def schema_command(
    kind: Annotated[str, typer.Argument(help="scenario (the default) or sweep.")] = "scenario",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write to FILE instead of printing.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario (or sweep) files, for editors."""
    from sim.scenario.jsonschema import KINDS, schema_text, write_schema

    if kind not in KINDS:
        from sim.scenario.errors import shown, suggest

        got = f"{shown(kind)}{suggest(kind, KINDS)}"
        fail(f"forcegen schema: expected 'scenario' or 'sweep', got {got}")
    if out_file is not None:
        check_file_folder(out_file)
    if out_file is None:
        typer.echo(schema_text(kind), nl=False)
        return
    write_schema(kind, out_file)
    out.print(f"schema: {out_file}", highlight=False, soft_wrap=True)


@app.command()
@guarded("interrupted: nothing was written")
def discover(
    scenario: ScenarioArg,
    outcome: Annotated[
        str,
        typer.Option(
            help="stalled, formed, undersized, formed_or_undersized, deployed, not_deployed "
            "or commit.<STATE>."
        ),
    ],
    from_dir: Annotated[
        Path | None,
        typer.Option("--from", help="A results folder to read (params.csv, runs.csv)."),
    ] = None,
    runs: Annotated[int | None, typer.Option(help="Runs (default: the scenario's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Discovery folder.")] = None,
    threshold: Annotated[float, typer.Option(help="Density a box should reach.")] = 0.8,
    formats: FormatsOpt = "png",
) -> None:
    """Find the ranges of judgement calls under which an outcome happens (PRIM)."""
    drawn = chart_formats(formats)
    sc = names.check_outcomes(scenario, [outcome], names.resolve_event)  # before pandas loads
    check_run(scenario, sc, runs=runs, seed=seed)
    from sim.study.discover import command

    with chart_files.formats(drawn):  # `sc`: the one read of the file serves the study too
        final, lines = command(scenario, outcome, from_dir, runs, seed, out_dir, threshold, sc)
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
    out.print(f"discovery: {final}", highlight=False, soft_wrap=True)


@app.command()
@guarded("interrupted: nothing was written")
def robust(
    sweep_file: Annotated[Path, typer.Argument(help="A sweep YAML file whose axes are levers.")],
    worlds: Annotated[int, typer.Option(help="Sampled worlds (Latin hypercube).")] = 50,
    runs_per_world: Annotated[
        int,
        typer.Option(
            help=f"Runs per candidate and world (1 to {MAX_RUNS:,}).",
            callback=whole(1, MAX_RUNS),
        ),
    ] = 20,
    criterion: Annotated[str, typer.Option(help="worst_decile, regret or mean.")] = "worst_decile",
    seed: Annotated[int | None, typer.Option(help="Seed (default: the sweep's).")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Robust folder.")] = None,
    workers: WorkersOpt = 0,
    scheduler: SchedulerOpt = None,
    formats: FormatsOpt = "png",
) -> None:
    """Rank candidate mandates (a sweep's points) across the same sampled uncertainties."""
    drawn = chart_formats(formats)
    resolve_name("criterion", criterion, names.CRITERIA, "--criterion")  # before pandas loads
    from sim.study.robust import command

    workers = cap_workers(workers, scheduler)
    with chart_files.formats(drawn):
        command(
            sweep_file,
            worlds,
            runs_per_world,
            criterion,
            seed,
            out_dir,
            workers,
            scheduler,
            out,
            err,
        )


@app.command()
@guarded("interrupted: no sensitivity folder was written")
def sensitivity(
    scenario: ScenarioArg,
    method: Annotated[
        list[str] | None,
        typer.Option(help="pawn, delta, rbd_fast, sobol or morris (repeat; default pawn)."),
    ] = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(help="formed, formed_or_undersized, force or commit.STATE (repeat)."),
    ] = None,
    runs: Annotated[
        int | None,
        typer.Option(help="Runs (delta/pawn/rbd_fast), base samples (sobol), trajectories."),
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the scenario's).")] = None,
    source: Annotated[
        Path | None, typer.Option("--from", help="A results folder to read (no new runs).")
    ] = None,
    groups: Annotated[
        str | None, typer.Option(help="none or actor (sobol default: actor).")
    ] = None,
    top: Annotated[
        int, typer.Option(help="Ranges to list per outcome (at least 1).", callback=whole(1))
    ] = 10,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Sensitivity folder.")] = None,
    workers: WorkersOpt = 0,
    formats: FormatsOpt = "png",
) -> None:
    """Which judgement calls ([low, high] ranges) drive P(formed), force and commitments."""
    drawn = chart_formats(formats)
    names.check_sensitivity(method or [], groups)  # before pandas and SALib load
    names.check_outcomes(scenario, outcome or [])
    from sim.study.sensitivity import Request, run_study

    request = Request(
        scenario, method or [], outcome or [], runs, seed, source, out_dir, workers, groups, top
    )
    with chart_files.formats(drawn):
        run_study(request, out, err)


NO_ARGS = getattr(click_errors, "NoArgsIsHelpError", ())
ABORT = getattr(click_errors, "Abort", None) or getattr(typer, "Abort", KeyboardInterrupt)
"""Click's Abort (Ctrl-C at a prompt): typer's own copy of Click keeps it in typer."""


def usage_line(exc: click_errors.UsageError) -> str:
    """A usage error (unknown command or option, a bad value) as one line."""
    message = " ".join(exc.format_message().split())
    where = exc.ctx.command_path if exc.ctx is not None else "forcegen"
    return f"{where}: {message} (see '{where} --help')"


def main() -> None:
    """Entry point for the `forcegen` script and `python -m sim`.

    Runs the commands without Click's standalone mode, so a usage error is one
    line `error: ...` with exit status 2 instead of a framed box. Sets one BLAS
    thread (`sim.parallel.own_process`) first: nothing imported so far loads numpy.
    A request for help only (`forcegen`, `forcegen --help`, `forcegen run --help`)
    loads no numpy at all, and skips that (and the import of the process pool).
    """
    args = sys.argv[1:]
    if args and "--help" not in args:
        from sim.parallel import own_process
        from sim.workers import mark

        own_process()
        mark()  # what other processes use from now on decides the helper and the pool
    command = typer.main.get_command(app)
    try:
        code = command.main(args, prog_name="forcegen", standalone_mode=False)
    except NO_ARGS as exc:  # bare `forcegen`: the help
        typer.echo(exc.ctx.get_help())
        code = 0
    except click_errors.UsageError as exc:
        err.print(f"error: {usage_line(exc)}", markup=False, highlight=False, soft_wrap=True)
        code = 2
    except (ABORT, KeyboardInterrupt):
        err.print(NO_FOLDER, markup=False, highlight=False, soft_wrap=True)
        code = 130
    except click_errors.ClickException as exc:
        err.print(f"error: {exc.format_message()}", markup=False, highlight=False, soft_wrap=True)
        code = exc.exit_code
    sys.exit(code if isinstance(code, int) else 0)
