"""`forcegen discover`: the ranges of judgement calls under which an outcome happens.

Scenario discovery (Bryant & Lempert 2010) with PRIM (`sim.study.prim`): over
the values each run drew (`params.csv`) and whether it ended in the outcome,
find boxes (a few parameters each kept in a range) where the outcome is much
more common than in all runs. A box is chosen on the peeling trajectory as the
one of largest coverage whose density reaches the threshold; limits that are
not significant (qp-value 0.05 or more) are dropped so that chance limits are
not read as conditions. Further boxes are looked for among the runs outside
the boxes already found (at most `MAX_BOXES`).

Boxes are found and measured on the same runs, so their density is an
in-sample figure; each carries its 95% Wilson interval and whether that
interval is clear of the base rate's at this run count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.numbers import wilson
from sim.scenario.errors import ScenarioError
from sim.study import prim
from sim.study.data import check_manifest, check_runs, check_values
from sim.study.names import COMMIT, Spelling, as_option, resolve_event

VERBS = {
    "stalled": "the force stalls",
    "formed": "the force forms",
    "undersized": "the force forms undersized",
    "formed_or_undersized": "the force forms, at full or undersized strength",
    "deployed": "contingents reach the theatre",
    "not_deployed": "no contingent reaches the theatre",
}
ALPHA = 0.05
"""Share of a box's runs each peel removes (Friedman & Fisher's usual 0.05-0.10)."""
MASS_MIN = 0.05
"""The smallest share of all runs a box may hold."""
QP = 0.05
"""A limit is kept when its qp-value is below this."""
MAX_BOXES = 3
MIN_HITS = 5
"""Runs with the outcome (left outside earlier boxes) needed to look for a box."""
SHUFFLES = 5
"""Shuffled outcomes peeled to show the density chance reaches."""
SHUFFLE_SEED = 0
FILES = ("params.csv", "runs.csv")


# ---------------------------------------------------------------- input


def outcome_flags(runs: pd.DataFrame, name: str) -> np.ndarray:
    """Whether each run (in the order of `runs`) ended in the outcome `name`."""
    if name.startswith(COMMIT):
        from sim.study.outcomes import in_coalition

        return in_coalition(runs["coalition"], name[len(COMMIT) :]).to_numpy() > 0
    if name in ("deployed", "not_deployed"):
        from sim.analysis.deployed import deployed

        return deployed(runs).to_numpy() == (name == "deployed")
    ends = runs["outcome"].astype(str)
    if name == "formed_or_undersized":
        return ends.isin(["formed", "undersized"]).to_numpy()
    return (ends == name).to_numpy()


def read_folder(
    folder: Path, scenario: str, states: list[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """params.csv and runs.csv of a results folder; ScenarioError when they are not there,
    are of another scenario, or were edited so that they no longer agree (`check_runs`)."""
    if not folder.is_dir():
        raise ScenarioError("expected a results folder (forcegen run --out)", "--from", str(folder))
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise ScenarioError(
            f"no {' or '.join(missing)} here; expected a folder written by forcegen run",
            "--from",
            str(folder),
        )
    check_manifest(folder, scenario, "--from", str(folder))
    params = _csv(folder / "params.csv")
    check_values(params, "--from", str(folder))
    runs = _csv(folder / "runs.csv", keep_default_na=False)
    check_runs(params, runs, "--from", str(folder), states)
    return params, runs


def _csv(path: Path, **options) -> pd.DataFrame:
    """A table of a results folder; one line naming the file when it is not a table."""
    try:
        return pd.read_csv(path, **options)
    except (ValueError, UnicodeDecodeError) as exc:  # pandas' parser errors are ValueErrors
        why = " ".join(str(exc).split()) or type(exc).__name__
        raise ScenarioError(f"cannot be read as a table ({why})", "--from", str(path)) from None


def align(params: pd.DataFrame, runs: pd.DataFrame, where: str) -> pd.DataFrame:
    """The parameters that vary, one row per run in the order of `runs`."""
    for table, name in ((params, "params.csv"), (runs, "runs.csv")):
        if "run" not in table.columns:
            raise ScenarioError(f"{name} has no 'run' column", "--from", where)
        if table["run"].duplicated().any():
            raise ScenarioError(f"{name} lists a run twice", "--from", where)
    if "outcome" not in runs.columns or "coalition" not in runs.columns:
        raise ScenarioError("runs.csv lacks the 'outcome' or 'coalition' column", "--from", where)
    x = params.set_index("run").reindex(runs["run"])
    if x.isna().to_numpy().any():
        raise ScenarioError("params.csv does not give every run's values", "--from", where)
    varying = [c for c in x.columns if x[c].nunique() > 1]
    return x[varying].reset_index(drop=True)


# ---------------------------------------------------------------- analysis


@dataclass(frozen=True)
class Found:
    """One box: as peeling chose it, as kept after the qp test, and what chance reaches.

    `peeled` and `kept` count runs among the `searched` runs (all runs for box 1,
    the runs outside earlier boxes after that); coverage and mass are given
    against all runs.
    """

    number: int
    peeled: prim.Box
    kept: prim.Box
    qp: dict[str, float]
    """The kept limits' qp-values."""
    peeled_qp: dict[str, float]
    total_runs: int
    total_hits: int
    threshold: float
    chance: float
    """Median density that peeling shuffled outcomes reaches at the peeled box's coverage."""
    trajectory: pd.DataFrame

    @property
    def searched(self) -> int:
        return self.kept.total_runs

    @property
    def base_rate(self) -> float:
        """Share of the searched runs with the outcome."""
        return self.kept.total_hits / self.kept.total_runs

    @property
    def meets(self) -> bool:
        return bool(self.kept.limits) and self.kept.density >= self.threshold

    def coverage(self, box: prim.Box) -> float:
        return box.hits / self.total_hits

    def interval(self, box: prim.Box) -> tuple[float, float]:
        return wilson(box.density, box.runs)

    def resolved(self, box: prim.Box) -> bool:
        """Whether the box's density interval is clear of the searched runs' base rate's."""
        lo, hi = self.interval(box)
        blo, bhi = wilson(self.base_rate, self.searched)
        return hi < blo or lo > bhi

    def runs_to_resolve(self, box: prim.Box) -> int | None:
        """Runs (searched) that would resolve the box, the shares as estimated here."""
        return runs_to_separate(box.density, box.mass, self.base_rate)


def runs_to_separate(p: float, mass: float, base: float, limit: int = 10_000_000) -> int | None:
    """Total runs at which a box (density `p`, holding `mass` of the runs) and the base
    rate would have 95% intervals that do not overlap, the shares as estimated."""
    if abs(p - base) < 1e-12 or mass <= 0:
        return None

    def apart(n: int) -> bool:
        lo, hi = wilson(p, max(1, round(mass * n)))
        blo, bhi = wilson(base, n)
        return hi < blo or lo > bhi

    n = 1
    while n <= limit:
        if apart(n):
            lo = n // 2
            while lo + 1 < n:
                mid = (lo + n) // 2
                lo, n = (lo, mid) if apart(mid) else (mid, n)
            return n
        n *= 2
    return None


def choose(trajectory: list[prim.Box], threshold: float) -> int:
    """The step of largest coverage reaching `threshold`, else the densest."""
    steps = range(1, len(trajectory))
    meeting = [i for i in steps if trajectory[i].density >= threshold]
    if meeting:
        return max(meeting, key=lambda i: (trajectory[i].coverage, -i))
    return max(steps, key=lambda i: (trajectory[i].density, trajectory[i].coverage))


def _frame(boxes: list[prim.Box], total_hits: int, number: int, shuffle: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "box": number,
            "shuffle": shuffle,
            "step": range(len(boxes)),
            "restricted": [len(b.limits) for b in boxes],
            "runs": [b.runs for b in boxes],
            "hits": [b.hits for b in boxes],
            "density": [b.density for b in boxes],
            "coverage": [b.hits / total_hits for b in boxes],
        }
    )


def chance(
    x: pd.DataFrame, y: np.ndarray, coverage: float, total_hits: int, number: int, mass_min: float
) -> tuple[float, list[pd.DataFrame]]:
    """Peeling on shuffled outcomes: (median density at `coverage`, their trajectories).

    Peeling many parameters over few runs finds dense boxes in noise too; what it
    reaches when the outcome is shuffled across runs is the density a box must beat.
    """
    rng = np.random.default_rng(SHUFFLE_SEED + number)
    reached, frames = [], []
    for k in range(1, SHUFFLES + 1):
        boxes = prim.peel(x, rng.permutation(y), ALPHA, mass_min)
        frame = _frame(boxes, total_hits, number, k)
        cov, den = frame["coverage"].to_numpy()[::-1], frame["density"].to_numpy()[::-1]
        reached.append(float(np.interp(coverage, cov, den)))
        frames.append(frame)
    return float(np.median(reached)), frames


def find_boxes(x: pd.DataFrame, y: np.ndarray, threshold: float) -> list[Found]:
    """PRIM boxes, each among the runs outside the boxes before it (at most MAX_BOXES).

    Box 1 is always given, even when no limit survives the qp test (that is the
    finding); a further box only when its kept limits reach the threshold.
    """
    y = np.asarray(y, dtype=bool)
    left = np.ones(len(y), dtype=bool)
    found: list[Found] = []
    while len(found) < MAX_BOXES and y[left].sum() >= MIN_HITS and not y[left].all():
        f = _one_box(x, y, left, threshold, len(found) + 1)
        if f is None or (found and not f.meets):
            break
        found.append(f)
        if not f.kept.limits:
            break
        left &= ~prim.in_box(x, f.kept.limits)
    return found


def _one_box(x, y, left, threshold: float, number: int) -> Found | None:
    xs, ys = x[left].reset_index(drop=True), y[left]
    n, hits = len(y), int(y.sum())
    mass_min = MASS_MIN * n / len(ys)
    boxes = prim.peel(xs, ys, ALPHA, mass_min)
    if len(boxes) < 2:
        return None
    step = choose(boxes, threshold)
    peeled = _restrict(boxes[step], x, xs, ys)
    kept = _restrict(prim.simplify(xs, ys, peeled, QP), x, xs, ys)
    actual = _frame(boxes, hits, number, 0).assign(chosen=lambda t: t["step"] == step)
    median, shuffled = chance(xs, ys, peeled.hits / hits, hits, number, mass_min)
    frames = [actual, *(f.assign(chosen=False) for f in shuffled)]
    return Found(
        number,
        peeled,
        kept,
        prim.qp_values(xs, ys, kept),
        prim.qp_values(xs, ys, peeled),
        n,
        hits,
        threshold,
        median,
        pd.concat(frames, ignore_index=True),
    )


def _restrict(box: prim.Box, x: pd.DataFrame, xs: pd.DataFrame, ys: np.ndarray) -> prim.Box:
    """The box with only the limits that cut the runs of `x` (all runs), recounted on `xs`."""
    return prim.box_of(prim.Data.of(xs, ys), prim.restricted(box, x))


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Discovered:
    """What a discovery finds, in memory: the boxes, the runs' varying values, the facts
    the words and the chart read (`info`: scenario, title, outcome, threshold, verb, source)."""

    found: list[Found]
    x: pd.DataFrame
    info: dict


def discover(
    scenario: Path,
    outcome: str,
    from_dir: Path | None,
    runs: int | None,
    seed: int | None,
    threshold: float,
    results=None,
    ready=None,
    spell: Spelling = as_option,
    loaded=None,
) -> Discovered:
    """Check the input, get the runs (a folder, given `results` of `sim.run`, or a new
    ensemble), find the boxes. The body of `forcegen discover` and `sim.discover`.

    `ready(scenario, outcome)` is called once the input is checked, before any run.
    `spell` names a setting in a refusal as the caller typed it (`--runs`, `runs`).
    `loaded` is the scenario file as the command line read it for its own checks.
    """
    from sim.study.discover_report import verb

    if not 0 < threshold <= 1:
        raise ScenarioError(f"expected a share in (0, 1], got {threshold}", spell("threshold"))
    if runs is not None and runs < 1:
        raise ScenarioError(f"expected a whole number >= 1, got {runs}", spell("runs"))
    if from_dir is not None and (runs is not None or seed is not None):
        raise ScenarioError("--runs and --seed make a new ensemble; leave them out with --from")
    if results is not None and (runs is not None or seed is not None):
        raise ScenarioError("runs and seed make a new ensemble; leave them out with given results")
    sc = results.scenario if results is not None else _scenario(scenario, loaded, runs, seed)
    outcome = resolve_event(outcome, list(sc.states), spell("outcome"))
    if ready is not None:
        ready(sc, outcome)
    if from_dir is not None:
        params, table = read_folder(from_dir, sc.name, list(sc.states))
        source = f"the runs of `{from_dir}`"
    else:
        if results is None:
            from sim.api import run

            results = run(sc)  # runs and seed applied by `_scenario`
        params, table = results.tables["params"], results.tables["runs"]
        source = f"{len(table):,} runs, seed {results.scenario.run.seed}"
    x = align(params, table, str(from_dir or scenario))
    y = outcome_flags(table, outcome)
    if y.all() or not y.any() or x.shape[1] == 0:
        what = "no drawn parameter varies" if x.shape[1] == 0 else None
        raise ScenarioError(
            what or f"nothing to discover: {outcome} happens in {int(y.sum())} of {len(y)} runs"
        )
    if y.sum() < MIN_HITS:
        raise ScenarioError(
            f"too few runs to discover from: {outcome} happens in {int(y.sum())} of {len(y)} "
            f"runs (at least {MIN_HITS} needed; try more {spell('runs')})"
        )
    found = find_boxes(x, y, threshold)
    if not found:
        raise ScenarioError(f"no box to peel: {outcome} in {int(y.sum())} of {len(y)} runs")
    info = {
        "scenario": sc.name,
        "title": sc.title or sc.name,
        "outcome": outcome,
        "threshold": threshold,
        "verb": verb(outcome),
        "source": source,
    }
    return Discovered(found, x, info)


def _scenario(path: Path, loaded, runs: int | None, seed: int | None):
    """The scenario to run: `loaded` (the file as the command line read it for its own
    checks, so it is read once) or the file read now, checked as `sim.load` checks one,
    with `runs` and `seed` applied here. A refusal names the file, as `forcegen run`'s
    does, before any work; left to `sim.run`, which gets the scenario and not its file,
    it named the scenario's name."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load, override

    try:
        sc = loaded if loaded is not None else load(path)
        compile_scenario(sc)  # what `forcegen validate` checks beyond the schema
        return sc if runs is None and seed is None else override(sc, runs=runs, seed=seed)
    except ScenarioError as exc:
        exc.file = exc.file or str(path)
        raise


def command(
    scenario: Path,
    outcome: str,
    from_dir: Path | None,
    runs: int | None,
    seed: int | None,
    out_dir: Path | None,
    threshold: float,
    loaded=None,
) -> tuple[Path, list[str]]:
    """Check the input, get the runs, find the boxes, write the folder.

    Returns the folder and the boxes in words (the lines the command prints); `loaded`
    is the scenario file as the command line read it for its checks (read once).

    Every refusal (ScenarioError, FolderError) comes before anything is written.
    """
    from sim.output.folder import check_target
    from sim.study.discover_report import summary_lines

    final = Path()

    def ready(sc, outcome: str) -> None:
        nonlocal final
        final = out_dir or Path("results") / f"{sc.name}-discover-{outcome}"
        check_target(final, "--out" if out_dir else "output folder")
        if from_dir is not None and _overlaps(final, from_dir):
            raise ScenarioError(
                f"{str(final)!r} would replace the --from folder {str(from_dir)!r}; "
                "choose another folder",
                "--out",
            )

    d = discover(scenario, outcome, from_dir, runs, seed, threshold, ready=ready, loaded=loaded)
    argv = _argv(scenario, d.info["outcome"], from_dir, runs, seed, final, threshold)
    write(final, d.found, d.x, {**d.info, "command": argv})
    return final, summary_lines(d.found, d.info["outcome"])


def _overlaps(final: Path, source: Path) -> bool:
    """Whether writing `final` would replace `source` (the same folder, or one holding it)."""
    final, source = final.resolve(), source.resolve()
    return final == source or final in source.parents


def _argv(scenario, outcome, from_dir, runs, seed, final, threshold) -> list[str]:
    argv = ["forcegen", "discover", str(scenario), "--outcome", outcome]
    if from_dir is not None:
        argv += ["--from", str(from_dir)]
    for name, v in (("--runs", runs), ("--seed", seed)):
        if v is not None:
            argv += [name, str(v)]
    return [*argv, "--out", str(final), "--threshold", str(threshold)]


def write(final: Path, found: list[Found], x: pd.DataFrame, info: dict) -> None:
    """The discovery folder, written atomically: boxes.csv, trajectory.csv, discover.md,
    charts/tradeoff.png (and .svg, as `--formats` says), manifest.json."""
    from sim.charts.discover import draw
    from sim.output.folder import atomic_folder
    from sim.output.write import dump_json, versions
    from sim.study.discover_report import boxes_table, markdown, marks

    trajectory = pd.concat([f.trajectory for f in found], ignore_index=True)
    with atomic_folder(final) as folder:
        boxes_table(found, x).to_csv(folder / "boxes.csv", index=False, lineterminator="\n")
        trajectory.to_csv(folder / "trajectory.csv", index=False, lineterminator="\n")
        draw(trajectory, marks(found), found[0].base_rate, info, folder / "charts")
        (folder / "discover.md").write_text(markdown(found, x, info), "utf-8")
        made = {k: info[k] for k in ("scenario", "outcome", "threshold", "command")}
        made |= {"alpha": ALPHA, "mass_min": MASS_MIN, "qp": QP, "runs": len(x)}
        dump_json({**made, "versions": versions()}, folder / "manifest.json")
