"""Robust mandates: candidate mandates compared across the same sampled uncertainties.

As in the EMA Workbench (Kwakkel 2017), a study keeps levers and uncertainties
apart. The levers are the broker's choices: each point of a sweep file (its
axes name mandate terms or broker settings) is one candidate mandate. The
uncertainties are the scenario's judgement ranges (`[low, high]` values): a
world is one position inside every range, and N worlds are drawn as a Latin
hypercube. Every candidate runs M runs in every world with the same run
numbers, so candidates meet the same worlds and the same per-run noise (common
random numbers); what differs between two candidates' numbers is their terms.

Each candidate gets P(formed) per world (the share of its M runs that formed),
and three robustness criteria over worlds: `mean`, `worst_decile` (the mean of
the worst tenth of worlds) and `regret` (Savage: the largest shortfall, over
worlds, from the best candidate in that world; lower is better).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.design import design_batch
from sim.engine.ensemble import BATCH, batch_runs
from sim.explore import paths
from sim.explore.sweep_file import Sweep, load_sweep
from sim.limits import MAX_TOTAL_RUNS
from sim.scenario.arrays import OUTCOMES, Compiled, compile_scenario
from sim.scenario.drawn import drawn_names
from sim.scenario.errors import ScenarioError, resolve_name
from sim.study.names import CRITERIA, Spelling, as_option

LOWER_IS_BETTER = {"regret"}
DEFAULT_WORLDS = 50
DEFAULT_RUNS_PER_WORLD = 20
MAX_RUNS = MAX_TOTAL_RUNS
"""Candidates × worlds × runs per world above this are refused before anything runs: the
bound every command's total runs share (a sweep, a what-if, a sensitivity design)."""
MAX_WORLDS = 10_000
"""Worlds above this are refused: the world table holds every world's positions."""
BOOTSTRAP = 2000
"""Resamples of the worlds for each candidate's interval of mean P(formed)."""
BOOTSTRAP_CELLS = 2_000_000
"""Resampled world indices drawn at once (resamples x worlds): bounds the bootstrap's
memory with many worlds (16 MB of indices, and as many floats per candidate). A memory
chunk, not a bound on runs (`MAX_TOTAL_RUNS` is the same number by chance);
the chunks draw the same indices in the same order, so the intervals do not depend on it."""
DECILE = 0.1
LEVER_ROOTS = ("mandate", "broker")
"""Where the broker's levers live in a scenario: its mandate terms and its own settings."""
FORMED = OUTCOMES.index("formed")
UNDERSIZED = OUTCOMES.index("undersized")


@dataclass
class Study:
    """A checked robustness study: candidates, the worlds they share, and the settings."""

    sweep: Sweep
    compiled: list[Compiled] = field(repr=False)
    names: list[str]  # the judgement ranges, in design column order
    low: np.ndarray
    high: np.ndarray
    worlds: np.ndarray  # (N, E) positions in [0, 1]
    runs_per_world: int
    criterion: str
    seed: int

    @property
    def candidates(self) -> int:
        return len(self.compiled)

    @property
    def total_runs(self) -> int:
        return self.candidates * len(self.worlds) * self.runs_per_world


# ---------------------------------------------------------------- checks


def _count(value: int, option: str, low: int, high: int | None = None) -> None:
    """Refuse a count option outside [low, high] in one line."""
    if value < low or (high is not None and value > high):
        top = f" and at most {high:,}" if high is not None else ""
        raise ScenarioError(f"expected a whole number >= {low}{top}, got {value}", option)


def check_levers(sw: Sweep) -> None:
    """Refuse an axis that is not a lever: a judgement range, or an actor's parameter.

    A range is what the worlds sample; fixing it per candidate would compare
    candidates in different worlds, which is the question robust keeps apart.
    """
    for i, axis in enumerate(sw.axes):
        where = f"axes[{i}]"
        if paths.is_range(paths.get(sw.base, axis.path)) or any(map(paths.is_range, axis.values)):
            raise ScenarioError(
                f"robust: axis {axis.path} varies a judgement range; robust compares "
                "mandates (levers) across the same uncertainties",
                where,
                sw.file,
            )
        if axis.path.split(".")[0] not in LEVER_ROOTS:
            raise ScenarioError(
                f"robust: axis {axis.path} is not a lever (a mandate term or a broker "
                "setting); robust compares mandates (levers) across the same uncertainties",
                where,
                sw.file,
            )


def _ranges(C: Compiled) -> tuple[list[str], np.ndarray, np.ndarray]:
    return (
        drawn_names(C),
        np.array([r.low for r in C.ranges], dtype=float),
        np.array([r.high for r in C.ranges], dtype=float),
    )


def check_same_ranges(sw: Sweep, compiled: list[Compiled]) -> None:
    """Every candidate must draw the same ranges, in the same order, with the same ends."""
    first = _ranges(compiled[0])
    for k, C in enumerate(compiled[1:], 1):
        names, low, high = _ranges(C)
        if names == first[0] and np.array_equal(low, first[1]) and np.array_equal(high, first[2]):
            continue
        changed = [a.path for a in sw.axes if sw.points[k][a.path] != sw.points[0][a.path]]
        axis = changed[0] if changed else "of the sweep"
        raise ScenarioError(
            f"robust: axis {axis} varies a judgement range; robust compares mandates "
            "(levers) across the same uncertainties",
            "axes",
            sw.file,
        )


def cost_line(candidates: int, worlds: int, runs: int) -> str:
    """The run count of a study, as printed before it runs."""
    total = candidates * worlds * runs
    return f"{candidates} candidates × {worlds:,} worlds × {runs:,} runs per world = {total:,} runs"


def check_cost(candidates: int, worlds: int, runs: int, spell: Spelling = as_option) -> None:
    """Refuse a study above MAX_RUNS runs in one line, before anything runs. Both settings
    the caller typed make the product, so the line names both (`--worlds ×
    --runs-per-world`); the candidates are the sweep file's points."""
    if candidates * worlds * runs > MAX_RUNS:
        named = (spell("worlds"), spell("runs_per_world"))
        raise ScenarioError(
            f"{cost_line(candidates, worlds, runs)}; robust runs at most {MAX_RUNS:,}: "
            f"lower {named[0]} or {named[1]}, or give the sweep fewer points",
            " × ".join(named),
        )


# ---------------------------------------------------------------- worlds


def seeds(seed: int) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """Two independent streams from the run seed: the worlds, and the bootstrap."""
    worlds, boot = np.random.SeedSequence(seed).spawn(2)
    return worlds, boot


def sample_worlds(E: int, N: int, seed: int) -> np.ndarray:
    """(N, E) Latin-hypercube positions in [0, 1]; never global random state."""
    from scipy.stats import qmc

    stream, _ = seeds(seed)
    return qmc.LatinHypercube(d=E, seed=np.random.default_rng(stream)).random(N)


def load_study(
    file: str | Path,
    worlds: int = DEFAULT_WORLDS,
    runs_per_world: int = DEFAULT_RUNS_PER_WORLD,
    criterion: str = "worst_decile",
    seed: int | None = None,
    spell: Spelling = as_option,
) -> Study:
    """Read the sweep, check that its axes are levers and its candidates share the ranges;
    a refusal names a setting as the caller typed it (`spell`: `--worlds`, `worlds`)."""
    _count(worlds, spell("worlds"), 2, MAX_WORLDS)
    _count(runs_per_world, spell("runs_per_world"), 1)
    if seed is not None:
        _count(seed, spell("seed"), 0, 2**63 - 1)
    criterion = resolve_name("criterion", criterion, CRITERIA, spell("criterion"))
    sw = load_sweep(file)
    if len(sw.points) < 2:
        raise ScenarioError("robust compares at least two candidate mandates", "axes", sw.file)
    check_levers(sw)
    check_cost(len(sw.points), worlds, runs_per_world, spell)
    compiled = [compile_scenario(sc) for sc in sw.scenarios]
    check_same_ranges(sw, compiled)
    names, low, high = _ranges(compiled[0])
    if not names:
        raise ScenarioError(
            "robust: the base scenario has no judgement ranges; there is nothing uncertain "
            "to sample",
            "base",
            sw.file,
        )
    seed = sw.seed if seed is None else seed
    return Study(
        sw,
        compiled,
        names,
        low,
        high,
        sample_worlds(len(names), worlds, seed),
        runs_per_world,
        criterion,
        seed,
    )


# ---------------------------------------------------------------- runs


def world_block(C: Compiled, seed: int, start: int, stop: int, worlds: np.ndarray, M: int):
    """Outcome codes of runs start..stop-1 (a worker's task); run i sits in world i // M.

    Run i is run i of the seed, as in `sim.engine.design.run_design` with the
    worlds repeated M times each, cut into blocks so no task holds every run.
    """
    ids = np.arange(start, stop)
    U = worlds[ids // M - start // M]
    rec = design_batch(C, seed, ids, U, stop)
    ran = rec.run_cols
    codes = {run: OUTCOMES.index(o) for run, o in zip(ran["run"], ran["outcome"], strict=True)}
    return np.array([codes[i] for i in ids], dtype=np.int8)


def _jobs(study: Study) -> list[tuple]:
    """(candidate, start, stop) and the task's arguments, BATCH runs at most per task
    (fewer for a wide scenario: `batch_runs` keeps a task's arrays within its bound)."""
    M = study.runs_per_world
    n = len(study.worlds) * M
    jobs = []
    for k, C in enumerate(study.compiled):
        size = batch_runs(C, BATCH)
        for start in range(0, n, size):
            stop = min(n, start + size)
            block = study.worlds[start // M : (stop - 1) // M + 1]
            jobs.append((k, (C, study.seed, start, stop, block, M)))
    return jobs


@dataclass
class Shares:
    """Per candidate and world: the share of its M runs formed, and formed or undersized."""

    formed: np.ndarray  # (K, N)
    formed_or_undersized: np.ndarray  # (K, N)


def evaluate(study: Study, executor: Any, progress: Callable[[int], None] | None = None) -> Shares:
    """Run every candidate in every world on the executor; tables do not depend on it."""
    K, N, M = study.candidates, len(study.worlds), study.runs_per_world
    codes = np.empty((K, N * M), dtype=np.int8)
    jobs = _jobs(study)
    for i, part in executor.imap(world_block, [args for _, args in jobs]):
        k, (_, _, start, stop, _, _) = jobs[i]
        codes[k, start:stop] = part
        if progress:
            progress(stop - start)
    codes = codes.reshape(K, N, M)
    formed = (codes == FORMED).mean(axis=2)
    either = ((codes == FORMED) | (codes == UNDERSIZED)).mean(axis=2)
    return Shares(formed, either)


# ---------------------------------------------------------------- criteria


def scores(P: np.ndarray) -> dict[str, np.ndarray]:
    """Each criterion per candidate from P (K, N): P(formed) per candidate and world."""
    k = max(1, math.ceil(DECILE * P.shape[1]))
    return {
        "mean": P.mean(axis=1),
        "worst_decile": np.sort(P, axis=1)[:, :k].mean(axis=1),
        "regret": (P.max(axis=0, keepdims=True) - P).max(axis=1),
    }


def ranking(s: dict[str, np.ndarray], criterion: str) -> list[int]:
    """Candidates best first by `criterion`; ties by higher mean, then file order."""
    sign = 1 if criterion in LOWER_IS_BETTER else -1
    key = np.round(s[criterion], 12)
    mean = np.round(s["mean"], 12)
    return sorted(range(len(key)), key=lambda k: (sign * key[k], -mean[k], k))


def bootstrap_means(P: np.ndarray, seed: int, B: int = BOOTSTRAP) -> np.ndarray:
    """(K, B) means over worlds resampled with replacement; every candidate gets the
    same resamples (the worlds are shared), from the run seed's bootstrap stream."""
    _, stream = seeds(seed)
    rng = np.random.default_rng(stream)
    K, N = P.shape
    out = np.empty((K, B))
    chunk = max(1, BOOTSTRAP_CELLS // N)
    for b0 in range(0, B, chunk):
        idx = rng.integers(0, N, size=(min(chunk, B - b0), N))
        out[:, b0 : b0 + len(idx)] = P[:, idx].mean(axis=2)
    return out


def interval(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95% percentile interval of bootstrap samples, per row."""
    return np.percentile(samples, 2.5, axis=-1), np.percentile(samples, 97.5, axis=-1)


@dataclass
class Separation:
    """Whether the first two candidates' mean P(formed) are told apart at this run count."""

    first: int
    second: int
    separated: bool  # their 95% intervals do not overlap
    worlds_needed: int | None  # worlds (same runs per world) at which the intervals part
    diff: float  # mean of first - mean of second, over the same worlds
    diff_lo: float
    diff_hi: float
    paired_worlds_needed: int | None  # worlds at which the paired interval excludes 0

    @property
    def paired_separated(self) -> bool:
        return self.diff_lo > 0 or self.diff_hi < 0


def _worlds_to_part(N: int, half: float, gap: float) -> int | None:
    """Worlds at which an interval of half-width `half` over N worlds shrinks below `gap`.

    Widths shrink as 1/sqrt(worlds), so about N · (half / gap)² worlds, with the
    spread as estimated from these N worlds. None when the gap is zero.
    """
    if gap <= 1e-12 or half <= 0:
        return None
    return max(N + 1, math.ceil(N * (half / gap) ** 2))


def separation(
    P: np.ndarray, order: list[int], lo: np.ndarray, hi: np.ndarray, boot: np.ndarray
) -> Separation:
    """Compare the top two by their intervals, and by the paired difference over the
    same worlds; estimate the worlds that would part each.

    The two candidates share their worlds and noise, so the paired difference is
    the sharper test; the marginal intervals also carry how much P(formed) varies
    between worlds, which both candidates meet alike.
    """
    a, b = order[0], order[1]
    N = P.shape[1]
    separated = bool(lo[a] > hi[b] or lo[b] > hi[a])
    m = P.mean(axis=1)
    gap = abs(m[a] - m[b])
    half = (hi[a] - lo[a]) / 2 + (hi[b] - lo[b]) / 2
    d_lo, d_hi = interval(boot[a] - boot[b])
    sep = Separation(a, b, separated, None, float(m[a] - m[b]), float(d_lo), float(d_hi), None)
    if not separated:
        sep.worlds_needed = _worlds_to_part(N, half, gap)
    if not sep.paired_separated:
        sep.paired_worlds_needed = _worlds_to_part(N, (d_hi - d_lo) / 2, gap)
    return sep


# ---------------------------------------------------------------- tables


def value_text(v: Any) -> str:
    """A lever value as a label reads it: 'yes', 'self defence', '0.6'."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).replace("_", " ")


def lever_name(path: str) -> str:
    """A short name of a lever: 'weapons decommissioning', 'use of force', 'broker deadline'."""
    parts = path.split(".")
    if parts[0] == "mandate":
        return parts[-1].replace("_", " ")
    return " ".join(p.replace("_", " ") for p in parts)


def candidate_label(sw: Sweep, point: dict[str, Any], sep: str = "; ") -> str:
    """A candidate named by its lever values: 'weapons decommissioning: no; national caveats: yes'."""
    return sep.join(f"{lever_name(a.path)}: {value_text(point[a.path])}" for a in sw.axes)


@dataclass
class Result:
    """A study's numbers: shares per world, criteria, intervals, ranking."""

    study: Study
    shares: Shares
    scores: dict[str, np.ndarray]
    lo: np.ndarray
    hi: np.ndarray
    order: list[int]
    sep: Separation


def summarise(study: Study, shares: Shares) -> Result:
    """Criteria, bootstrap intervals over worlds, ranking and the separation of the top two."""
    P = shares.formed
    s = scores(P)
    boot = bootstrap_means(P, study.seed)
    lo, hi = interval(boot)
    order = ranking(s, study.criterion)
    return Result(study, shares, s, lo, hi, order, separation(P, order, lo, hi, boot))


def robust_table(r: Result) -> pd.DataFrame:
    """robust.csv: one row per candidate, best first by the chosen criterion."""
    sw = r.study.sweep
    rank = {k: i + 1 for i, k in enumerate(r.order)}
    fou = r.shares.formed_or_undersized.mean(axis=1)
    rows = []
    for k in r.order:
        row: dict[str, Any] = {
            "rank": rank[k],
            "candidate": k,
            "label": candidate_label(sw, sw.points[k]),
        }
        row |= sw.points[k]
        row |= {
            "mean": round(float(r.scores["mean"][k]), 6),
            "mean_lo": round(float(r.lo[k]), 6),
            "mean_hi": round(float(r.hi[k]), 6),
            "worst_decile": round(float(r.scores["worst_decile"][k]), 6),
            "regret": round(float(r.scores["regret"][k]), 6),
            "mean_formed_or_undersized": round(float(fou[k]), 6),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def worlds_table(r: Result) -> pd.DataFrame:
    """worlds.csv: one row per candidate and world, with the world's values of the ranges."""
    st = r.study
    K, N = r.shares.formed.shape
    values = st.low + st.worlds * (st.high - st.low)
    head = pd.DataFrame(
        {
            "candidate": np.repeat(np.arange(K), N),
            "world": np.tile(np.arange(N), K),
            "p_formed": r.shares.formed.ravel(),
            "p_formed_or_undersized": r.shares.formed_or_undersized.ravel(),
        }
    )
    world = pd.DataFrame(np.round(np.tile(values, (K, 1)), 10), columns=st.names)
    return pd.concat([head, world], axis=1)


# ---------------------------------------------------------------- output


def chart_meta(st: Study) -> dict[str, Any]:
    """What the chart needs beside the tables."""
    return {
        "title": st.sweep.base.title,
        "criterion": st.criterion,
        "levers": [a.path for a in st.sweep.axes],
        "runs_per_world": st.runs_per_world,
        "worlds": len(st.worlds),
        "ranges": len(st.names),
        "seed": st.seed,
    }


def write_robust(r: Result, final: Path, argv: list[str]) -> pd.DataFrame:
    """The robust folder, written atomically: robust.csv, worlds.csv, robust.md, robust.png."""
    from sim.charts.robust import draw
    from sim.output.folder import atomic_folder
    from sim.output.write import dump_json, versions
    from sim.scenario.loader import scenario_hash
    from sim.study.robust_words import markdown

    st = r.study
    table = robust_table(r)
    worlds = worlds_table(r)
    with atomic_folder(final) as out:
        table.to_csv(out / "robust.csv", index=False, lineterminator="\n")
        worlds.to_csv(out / "worlds.csv", index=False, lineterminator="\n")
        chart = draw(table, worlds, chart_meta(st), out)
        (out / "robust.md").write_text(markdown(r, table, chart), "utf-8")
        dump_json(
            {
                "sweep": st.sweep.name,
                "file": st.sweep.file,
                "base": st.sweep.base_file,
                "base_sha256": scenario_hash(st.sweep.base),
                "criterion": st.criterion,
                "seed": st.seed,
                "worlds": len(st.worlds),
                "runs_per_world": st.runs_per_world,
                "candidates": st.candidates,
                "interval": f"bootstrap over worlds, {BOOTSTRAP} resamples, percentile 95%",
                "versions": versions(),
                "command": argv,
            },
            out / "manifest.json",
        )
    return table


def argv_of(file: str | Path, st: Study, final: Path) -> list[str]:
    """The `forcegen robust` command that writes this study's folder (its manifest's)."""
    argv = ["forcegen", "robust", str(file), "--worlds", str(len(st.worlds))]
    argv += ["--runs-per-world", str(st.runs_per_world), "--criterion", st.criterion]
    return [*argv, "--seed", str(st.seed), "--out", str(final)]


def run_study(st: Study, workers: int, scheduler: str | None, err: Any = None) -> Result:
    """Run every candidate in every world and summarise (`forcegen robust`, `sim.robust`);
    a progress bar on `err` when it is a terminal."""
    from rich.progress import Progress

    from sim.explore.commands import COLUMNS
    from sim.parallel import make_executor

    show = err is not None and err.is_terminal
    from sim.workers import scenarios_cost

    cost = scenarios_cost(C.scenario for C in st.compiled)
    ex = make_executor(workers, scheduler, runs=st.total_runs, run_seconds=cost)
    with ex, Progress(*COLUMNS, console=err, transient=True, disable=not show) as bar:
        task = bar.add_task(f"{st.sweep.name} (robust)", total=st.total_runs)
        shares = evaluate(st, ex, lambda n: bar.advance(task, n))
    return summarise(st, shares)


def ranking_lines(r: Result, table: pd.DataFrame) -> list[str]:
    """The ranking in words, one line per candidate (what the command prints)."""
    from sim.charts.robust import score_text

    lines = [
        f"{row['rank']}. {row['label']}: " + ", ".join(score_text(row))
        for row in table.to_dict("records")
    ]
    if not r.sep.separated:
        lines.append(
            "the first two are not separated at this run count (their intervals overlap; "
            "robust.md gives the paired difference)"
        )
    return lines


def command(
    file: Path,
    worlds: int,
    runs_per_world: int,
    criterion: str,
    seed: int | None,
    out_dir: Path | None,
    workers: int,
    scheduler: str | None,
    out: Any,
    err: Any,
) -> Path:
    """`forcegen robust`: check, print the cost, run, write, print the ranking."""
    from sim.output.folder import check_target

    if workers < 0:
        raise ScenarioError(f"expected a whole number >= 0, got {workers}", "--workers")
    st = load_study(file, worlds, runs_per_world, criterion, seed)
    final = out_dir or Path("results") / f"{st.sweep.name}-robust"
    check_target(final, "--out" if out_dir else "robust folder")
    err.print(
        f"robust: {cost_line(st.candidates, len(st.worlds), st.runs_per_world)}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    result = run_study(st, workers, scheduler, err)
    table = write_robust(result, final, argv_of(file, st, final))
    for line in ranking_lines(result, table):
        out.print(line, highlight=False, soft_wrap=True)
    out.print(f"robust: {final}", highlight=False, soft_wrap=True)
    return final
