"""`forcegen sensitivity`: which judgement calls drive the outcome.

The body of the command (sim/cli.py stays thin). Everything the user typed is
checked before any run or file: an unknown method or outcome, a `--from`
folder without `params.csv`, a scenario without ranges, a design above the cap
are refused with one line (ScenarioError, exit 2) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from rich.console import Console

from sim.limits import MAX_TOTAL_RUNS
from sim.parallel import ENGINE, auto_workers, cores, make_executor
from sim.scenario.arrays import Compiled
from sim.scenario.errors import ScenarioError, resolve_name
from sim.study import design, methods
from sim.study.names import (
    COMMIT,
    DESIGNED,
    GIVEN,
    GROUPINGS,
    METHODS,
    Spelling,
    as_option,
    resolve_outcome,
)
from sim.study.outcomes import outcome_column
from sim.study.problem import is_reference, ranges_table, reference_names, salib_problem

if TYPE_CHECKING:
    from sim.results import Results

DEFAULT_METHODS = ("pawn",)
DEFAULT_RUNS = {"sobol": 256, "morris": 32}
"""Base samples (Sobol) or trajectories (Morris) when --runs is not given."""
DEFAULT_GROUPS = {"sobol": "actor", "morris": "none"}
NO_RANGES = "nothing to analyse: the scenario has no [low, high] ranges"
DELTA_TIES = (
    "one value in more than 5% of runs; SALib's delta skips the slices of a range in which "
    "the outcome does not vary, which are the slices where the range decides it "
    "(use pawn or rbd_fast)"
)
GIVEN_WORK = 10_000
"""Ranges × runs above which one given-data analysis is worth a worker process."""


@dataclass
class Request:
    """What the user asked for, as typed (checked by `check`)."""

    scenario: Path
    methods: list[str] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    runs: int | None = None
    seed: int | None = None
    source: Path | None = None
    out_dir: Path | None = None
    workers: int = 0
    groups: str | None = None
    top: int = 10
    results: Results | None = None
    """Given runs (`sim.sensitivity` on a `sim.run` result): analysed as `--from` is."""
    spell: Spelling = as_option
    """How refusals name a setting: `--runs` on the command line, `runs` from Python."""


@dataclass
class Study:
    """A finished study: the tidy table and what it was computed from."""

    C: Compiled
    table: pd.DataFrame
    runs: dict[str, int]
    outcomes: list[str]
    skipped: dict[str, str]
    groups: dict[str, str]
    seed: int
    source: str


def check(req: Request) -> Request:
    """Resolve names and refuse bad options (ScenarioError) before any work."""
    spell = req.spell
    if req.workers < 0:
        raise ScenarioError(f"expected a whole number >= 0, got {req.workers}", spell("workers"))
    for name, value in (("runs", req.runs), ("top", req.top)):
        if value is not None and value < 1:
            raise ScenarioError(f"expected a whole number >= 1, got {value}", spell(name))
    req.methods = list(
        dict.fromkeys(resolve_name("method", m, METHODS, spell("method")) for m in req.methods)
    ) or list(DEFAULT_METHODS)
    designed = [m for m in req.methods if m in DESIGNED]
    if req.groups is not None:
        req.groups = resolve_name("grouping", req.groups, GROUPINGS, spell("groups"))
        if not designed:
            raise ScenarioError("groups apply to sobol and morris only", spell("groups"))
    if req.source is not None:
        if designed:
            raise ScenarioError(
                f"{designed[0]} runs at points it chooses; --from serves delta, pawn, rbd_fast",
                "--from",
            )
        if req.runs is not None:
            raise ScenarioError("--from reads the folder's runs; drop --runs", "--runs")
    if req.results is not None:
        if designed:
            raise ScenarioError(
                f"{designed[0]} runs at points it chooses; given results serve delta, pawn, "
                "rbd_fast (pass the scenario file instead)",
                "method",
            )
        if req.runs is not None:
            raise ScenarioError("given results hold their runs; drop runs", "runs")
        if req.seed is not None:
            raise ScenarioError("given results hold their seed; drop seed", "seed")
    return req


def load(req: Request) -> Compiled:
    """The compiled scenario (with --seed, and --runs for a fresh given-data ensemble)."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load as load_file
    from sim.scenario.loader import override

    fresh = req.source is None and any(m in GIVEN for m in req.methods)
    try:
        sc = load_file(req.scenario) if req.results is None else req.results.scenario
        sc = override(sc, runs=req.runs if fresh else None, seed=req.seed)
        C = compile_scenario(sc)
    except ScenarioError as exc:
        exc.file = exc.file or str(req.scenario)
        raise
    if not C.ranges:
        raise ScenarioError(NO_RANGES, "", str(req.scenario))
    return C


def grouping(req: Request, method: str) -> str:
    return req.groups or DEFAULT_GROUPS[method]


def design_costs(req: Request, C: Compiled, names: list[str]) -> dict[str, int]:
    """Runs each design method costs; ScenarioError above MAX_TOTAL_RUNS, the bound a
    sweep and a what-if share (one command asks for at most that many runs)."""
    costs = {}
    runs = req.spell("runs")
    for m in req.methods:
        if m in DESIGNED:
            n = req.runs or DEFAULT_RUNS[m]
            costs[m] = design.cost(m, salib_problem(names, grouping(req, m)), n)
            if costs[m] > MAX_TOTAL_RUNS:
                hint = (
                    f" (try {req.spell('groups', 'actor')})" if grouping(req, m) == "none" else ""
                )
                raise ScenarioError(
                    f"{m} would cost {costs[m]:,} runs, above the cap of {MAX_TOTAL_RUNS:,}; "
                    f"lower {runs}{hint}",
                    runs,
                )
    return costs


def workers_for(req: Request, costs: dict[str, int], cells: int) -> int:
    """`--workers 0`: all cores when the runs or the given-data analyses are worth it."""
    if req.workers:
        return min(req.workers, cores())
    heavy = any(m in ("delta", "pawn") for m in req.methods) and cells >= GIVEN_WORK
    return cores() if heavy else auto_workers(sum(costs.values()))


def tied(y: np.ndarray) -> bool:
    """Whether one value holds more than 5% of the runs (a 0/1 outcome, a force of 0)."""
    _, counts = np.unique(y, return_counts=True)
    return counts.max() > 0.05 * len(y)


def default_outcomes(runs: pd.DataFrame, states: list[str]) -> list[str]:
    """P(formed), P(deployed) where the runs say when contingents arrived, force, and
    the commitment of every state that is in some runs, not all."""
    found = ["formed", *(["deployed"] if "deployed_week" in runs else []), "force"]
    for s in states:
        y = outcome_column(runs, f"{COMMIT}{s}", states)
        if 0 < y.mean() < 1:
            found.append(f"{COMMIT}{s}")
    return found


@dataclass
class Sample:
    """Inputs and runs for one method: X (rows × columns), the runs, and the spec."""

    method: str
    X: np.ndarray
    runs: pd.DataFrame
    spec: list[str] | dict


def given_sample(req: Request, C: Compiled, table: pd.DataFrame, ex, tick) -> Sample:
    """Drawn values and outcomes of the folder's runs (or a fresh ensemble), with the
    no-effect reference column last. Fixed ranges (low = high) are left out."""
    from sim.engine.ensemble import run_ensemble
    from sim.study.data import read_folder

    names = list(table["parameter"])
    if req.source is not None:
        params, runs = read_folder(req.source, table, C.scenario.name, list(C.states))
    elif req.results is not None:
        params, runs = req.results.params, req.results.runs
    else:
        tables = run_ensemble(C, detail=1, executor=ex, progress=tick)
        params, runs = tables["params"], tables["runs"]
    varied = [n for n, lo, hi in zip(names, table["low"], table["high"], strict=True) if hi > lo]
    refs = reference_names()
    rng = np.random.default_rng(C.scenario.run.seed)
    X = np.column_stack([params[varied].to_numpy(float), rng.random((len(params), len(refs)))])
    return Sample("given", X, runs.reset_index(drop=True), [*varied, *refs])


def design_sample(req: Request, C: Compiled, method: str, names: list[str], ex, tick) -> Sample:
    """SALib's sample for a design method, and its runs (`sim.study.design`)."""
    problem = salib_problem(names, grouping(req, method))
    seed = C.scenario.run.seed
    X = design.sample(method, problem, req.runs or DEFAULT_RUNS[method], seed)
    runs = design.run_blocks(C, X, design.block(method, problem), seed, ex, tick)
    return Sample(method, X, runs, problem)


def gather(req: Request, C: Compiled, table: pd.DataFrame, ex, bar) -> list[Sample]:
    """One sample for the given-data methods (if any), one per design method."""
    names = list(table["parameter"])
    samples = []
    if any(m in GIVEN for m in req.methods):
        given = req.source is not None or req.results is not None
        task = bar.add_task("runs", total=None if given else C.scenario.run.runs)
        samples.append(given_sample(req, C, table, ex, lambda n: bar.advance(task, n)))
    for m in req.methods:
        if m in DESIGNED:
            problem = salib_problem(names, grouping(req, m))
            total = design.cost(m, problem, req.runs or DEFAULT_RUNS[m])
            task = bar.add_task(f"{m} design", total=total)
            samples.append(design_sample(req, C, m, names, ex, lambda n, t=task: bar.advance(t, n)))
    return samples


SOBOL_CONSTANT = (
    "the same in every base sample of the design, so no Sobol index can be estimated; raise {runs}"
)
"""Why an outcome gets no Sobol index; `{runs}` is how the caller spells the setting."""


def jobs_for(req: Request, samples: list[Sample], outcomes: list[str], C: Compiled):
    """(jobs, keys, skipped): one analysis per method and outcome that varies."""
    jobs, keys, skipped = [], [], {}
    seed, states = C.scenario.run.seed, list(C.states)
    for s in samples:
        for o in outcomes:
            y = outcome_column(s.runs, o, states).to_numpy(float)
            given = [m for m in req.methods if m in GIVEN]
            used = given if s.method == "given" else [s.method]
            if np.ptp(y) == 0:
                for m in used:
                    skipped[f"{o} ({m})"] = f"{y[0]:g} in every run"
                continue
            for m in used:
                if m == "delta" and tied(y):
                    skipped[f"{o} (delta)"] = DELTA_TIES
                    continue
                if m == "sobol" and not methods.sobol_base_varies(s.spec, y):
                    skipped[f"{o} (sobol)"] = SOBOL_CONSTANT.format(runs=req.spell("runs"))
                    continue
                jobs.append((m, s.spec, s.X, y, seed))
                keys.append((o, m))
    return jobs, keys, skipped


def assemble(parts: list[tuple[tuple[str, str], pd.DataFrame]], ranges: pd.DataFrame):
    """The tidy table: outcome, method, parameter, actor, index, value, interval, low, high."""
    from sim.study.judge import judge

    frames = [df.assign(outcome=o, method=m) for (o, m), df in parts]
    table = pd.concat(frames, ignore_index=True)
    table = table.merge(ranges, on="parameter", how="left")
    group = table["actor"].isna() & ~is_reference(table["parameter"])
    table.loc[group, "actor"] = table.loc[group, "parameter"]
    table["actor"] = table["actor"].fillna("")
    cols = ["outcome", "method", "parameter", "actor", "index", "value", "conf_low", "conf_high"]
    return judge(table[[*cols, "low", "high"]])


def run_study(req: Request, out: Console, err: Console, quiet: bool = False) -> Path:
    """Check, run or read the runs, analyse, write the folder, print the top table."""
    from sim.output.folder import check_target
    from sim.study.report import print_study, write_study

    final: Path = Path()

    def ready(req: Request, C: Compiled, ranges: pd.DataFrame, costs: dict[str, int]) -> None:
        nonlocal final
        final = req.out_dir or Path("results") / f"{C.scenario.name}-sensitivity"
        check_target(final, "--out" if req.out_dir else "output folder")
        if req.source is not None:
            from sim.study.data import read_folder

            read_folder(req.source, ranges, C.scenario.name, list(C.states))  # before work
        for m, c in costs.items():
            out.print(
                f"{m}: {c:,} runs ({describe_design(req, m, list(ranges['parameter']))})",
                highlight=False,
            )

    study = make_study(req, err, quiet, ready)
    write_study(study, final, command(req, final, study.C))
    print_study(out, study, req.top)
    out.print(f"sensitivity: {final}", highlight=False, soft_wrap=True)
    return final


def make_study(req: Request, err: Console | None = None, quiet: bool = True, ready=None) -> Study:
    """Check the request, run or read the runs, analyse: the study, in memory.

    `ready(req, C, ranges, costs)` is called once everything typed is checked and
    before any run (the command checks its folder and prints the cost there).
    The body of both `forcegen sensitivity` and `sim.sensitivity`.
    """
    req = check(req)
    C = load(req)
    ranges = ranges_table(C)
    states = list(C.states)
    asked = list(
        dict.fromkeys(resolve_outcome(o, states, req.spell("outcome")) for o in req.outcomes)
    )
    costs = design_costs(req, C, list(ranges["parameter"]))
    if ready is not None:
        ready(req, C, ranges, costs)
    cells = len(ranges) * (C.scenario.run.runs if req.source is None else 1)
    ex = make_executor(workers_for(req, costs, cells), warm=(*ENGINE, "sim.study.methods"))
    with ex, progress(err or Console(stderr=True), quiet) as bar:
        samples = gather(req, C, ranges, ex, bar)
        outcomes = asked or default_outcomes(samples[0].runs, states)
        jobs, keys, skipped = jobs_for(req, samples, outcomes, C)
        task = bar.add_task("analysis", total=len(jobs))
        parts = []
        for i, df in ex.imap(methods.analyse, jobs):
            parts.append((keys[i], df))
            bar.advance(task, 1)
    if not parts:
        why = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise ScenarioError(f"nothing to analyse: {why}", req.spell("outcome"))
    parts.sort(key=lambda kd: keys.index(kd[0]))
    return Study(
        C,
        assemble(parts, ranges),
        {s.method: len(s.runs) for s in samples},
        outcomes,
        skipped,
        {m: grouping(req, m) for m in req.methods if m in DESIGNED},
        C.scenario.run.seed,
        str(req.source) if req.source else "",
    )


def describe_design(req: Request, method: str, names: list[str]) -> str:
    """'256 base samples × (20 actor groups + 2)': the cost, said before running."""
    from sim.study.problem import factors

    n = design.base_count(method, req.runs or DEFAULT_RUNS[method])
    what = "base samples" if method == "sobol" else "trajectories"
    extra = 2 if method == "sobol" else 1
    d = len(factors(salib_problem(names, grouping(req, method))))
    unit = "ranges" if grouping(req, method) == "none" else f"actor groups of {len(names)} ranges"
    return f"{n} {what} × ({d} {unit} + {extra})"


def progress(err: Console, quiet: bool):
    """A progress bar on stderr; off when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    return Progress(
        *columns,
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
    )


def command(req: Request, final: Path, C: Compiled) -> list[str]:
    """The command that writes this folder (the manifest's `command`)."""
    argv = ["forcegen", "sensitivity", str(req.scenario)]
    for m in req.methods:
        argv += ["--method", m]
    for o in req.outcomes:
        argv += ["--outcome", o]
    if req.results is not None:  # given runs: the command that runs the same ensemble
        argv += ["--runs", str(C.scenario.run.runs)]
    if req.runs is not None:
        argv += ["--runs", str(req.runs)]
    if req.source is not None:
        argv += ["--from", str(req.source)]
    if req.groups is not None:
        argv += ["--groups", req.groups]
    return [*argv, "--seed", str(C.scenario.run.seed), "--out", str(final)]
