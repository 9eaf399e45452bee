"""Sweeps run: every point of a sweep file (`sim.explore.sweep_file`) computed or taken
from the cache, one row per point, and the sweep folder written.


Every point runs with the same seed (common random numbers), so two points differ
only by their terms.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.explore.cache import PointCache, point_key
from sim.explore.runner import run_point
from sim.explore.sweep_file import Sweep, load_sweep
from sim.numbers import wilson
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario

__all__ = ["Sweep", "SweepRun", "load_sweep", "run_sweep", "write_sweep"]


@dataclass
class SweepRun:
    """A sweep's results: one row per point, and how many points were computed.

    `runs` (with `run_sweep(..., keep_runs=True)`): each point's runs table.
    """

    table: pd.DataFrame
    results: list[dict[str, Any]]
    computed: int
    cached: int
    runs: list[pd.DataFrame] | None = None


def run_point_runs(sc: Scenario) -> tuple[dict[str, Any], bytes]:
    """A point's result and its runs table (as Parquet bytes: dtypes kept, compact)."""
    import io

    from sim.explore.runner import point_result, simulate
    from sim.scenario.arrays import compile_scenario

    C = compile_scenario(sc)
    tables, rec = simulate(C)
    blob = io.BytesIO()
    tables["runs"].to_parquet(blob, index=False, engine="pyarrow")
    return point_result(C, tables, rec), blob.getvalue()


def _runs_key(key: str) -> str:
    return hashlib.sha256(f"{key}|runs-table".encode()).hexdigest()


def _runs_of(entry: dict | None) -> pd.DataFrame | None:
    """A cached runs table (base64 Parquet), or None."""
    try:
        return pd.read_parquet(io.BytesIO(base64.b64decode(entry["parquet"])))
    except (TypeError, KeyError, ValueError, OSError):
        return None


def run_sweep(
    sw: Sweep,
    executor: Any,
    cache: PointCache,
    progress: Callable[[int], None] | None = None,
    keep_runs: bool = False,
) -> SweepRun:
    """Compute every point not already in the cache; return the table of all points.

    With `keep_runs`, each point's runs table is kept too (and cached beside
    the point); a point cached without it is computed again.
    """
    keys = [point_key(scenario_hash(sc), sc.run.seed, sc.run.runs) for sc in sw.scenarios]
    results: dict[str, dict] = {}
    runs: dict[str, pd.DataFrame] = {}
    todo: list[tuple[str, Scenario, dict]] = []
    queued: set[str] = set()
    for key, sc, point in zip(keys, sw.scenarios, sw.points, strict=True):
        if key in results or key in queued:
            continue
        hit = cache.get(key)
        table = _runs_of(cache.get(_runs_key(key))) if keep_runs and hit is not None else None
        if hit is not None and (table is not None or not keep_runs):
            results[key] = hit
            if table is not None:
                runs[key] = table
        else:
            todo.append((key, sc, point))
            queued.add(key)
    cached = len(results)
    if progress:
        progress(sum(1 for k in keys if k in results))
    for key, result in _computed(sw, todo, executor, keep_runs):
        if keep_runs:
            result, blob = result
            runs[key] = pd.read_parquet(io.BytesIO(blob))
            cache.put(_runs_key(key), {"parquet": base64.b64encode(blob).decode("ascii")})
        cache.put(key, result)
        results[key] = result
        if progress:
            progress(sum(1 for k in keys if k == key))
    ordered = [results[k] for k in keys]
    kept = [runs[k] for k in keys] if keep_runs else None
    return SweepRun(point_table(sw, ordered), ordered, len(todo), cached, kept)


def _computed(sw: Sweep, todo: list[tuple[str, Scenario, dict]], executor: Any, keep_runs: bool):
    """(key, result) of every point to compute, as each finishes: several points to a
    task when they can run as one array of runs (`sim.explore.batched`), else one."""
    from sim.engine.ensemble import FORK_RUNS
    from sim.explore import batched

    if len(todo) > 1 and sum(sc.run.runs for _, sc, _ in todo) >= FORK_RUNS:
        executor = executor.for_short_jobs()  # a forked helper where the default allows
    if keep_runs or not batched.batchable(sw.axes):
        task = run_point_runs if keep_runs else run_point
        for i, result in executor.imap(task, [(sc,) for _, sc, _ in todo]):
            yield todo[i][0], result
        return
    groups = batched.groups(sw.axes, todo)
    jobs = [([sc for _, sc, _ in group],) for group in groups]
    for i, results in executor.imap(batched.run_points, jobs):
        yield from ((item[0], r) for item, r in zip(groups[i], results, strict=True))


def point_table(sw: Sweep, results: list[dict[str, Any]]) -> pd.DataFrame:
    """sweep.csv: axis values, outcome, expected force, acceptance, P(commit) per state."""
    states = list(sw.base.states)
    rows = []
    for i, (point, r) in enumerate(zip(sw.points, results, strict=True)):
        lo, hi = wilson(r["p_formed"], r["runs"])
        row: dict[str, Any] = {"point": i, **point}
        row |= {
            "p_formed": r["p_formed"],
            "p_formed_lo": round(lo, 6),
            "p_formed_hi": round(hi, 6),
            "p_undersized": r["p_undersized"],
            "p_stalled": r["p_stalled"],
            "p_deployed": r.get("p_deployed"),
            "expected_force": r["expected_force"],
            "force_median": r["force_median"],
            "force_p05": r["force_p05"],
            "force_p95": r["force_p95"],
            "rounds_to_form_median": r["rounds_to_form_median"],
        }
        for v, a in r["acceptance"].items():
            row[f"acceptance.{v}"] = a
        for code in states:
            row[f"p_commit.{code}"] = r["p_commit"][code]
        for code in states:
            row[f"kind.{code}"] = r["dominant_kind"][code]
        row["scenario_sha256"] = r["scenario_sha256"]
        rows.append(row)
    return pd.DataFrame(rows)


def chart_meta(sw: Sweep) -> dict[str, Any]:
    """What the sweep charts need beside the table."""
    sc = sw.base
    target = sc.broker.target
    return {
        "title": sw.title,
        "base_title": sc.title,
        "runs": sw.runs,
        "n_points": len(sw.points),
        "design": sw.design,
        "states": {c: s.name for c, s in sc.states.items()},
        "kinds": {k: v.label for k, v in sc.kinds.items()},
        # no single target line when the target is itself swept
        "target": None
        if any(a.path == "broker.target" for a in sw.axes)
        else (target[0] + target[1]) / 2
        if isinstance(target, tuple)
        else float(target),
        "axes": [
            {"path": a.path, "label": a.label, "values": a.values, "numeric": a.numeric}
            for a in sw.axes
        ],
    }


def _as_column(values: list[Any]) -> list[Any]:
    """An axis's values as one Parquet column: numbers, booleans or text as they are;
    a mixture, or ranges `[low, high]`, as JSON text (`"[0.2, 0.4]"`)."""
    kinds = {
        "bool" if isinstance(v, bool) else "number" if isinstance(v, int | float) else type(v)
        for v in values
    }
    if len(kinds) == 1 and kinds <= {"bool", "number", str}:
        return [float(v) for v in values] if kinds == {"number"} else list(values)
    return [json.dumps(list(v) if isinstance(v, tuple) else v) for v in values]


def runs_dataset(sw: Sweep, result: SweepRun) -> pd.DataFrame:
    """Every point's runs in one table: `point`, the point's axis values, then the
    runs table's columns (`runs.parquet` of `forcegen sweep --format parquet`)."""
    if result.runs is None:
        raise ValueError("run_sweep(..., keep_runs=True) keeps the runs tables")
    data = pd.concat(result.runs, ignore_index=True)
    counts = [len(t) for t in result.runs]
    front: dict[str, list[Any]] = {"point": [i for i, n in enumerate(counts) for _ in range(n)]}
    for a in sw.axes:
        values = [p[a.path] for p, n in zip(sw.points, counts, strict=True) for _ in range(n)]
        front[a.path] = _as_column(values)
    data = data.drop(columns=[c for c in front if c in data.columns])
    return pd.concat([pd.DataFrame(front), data], axis=1)


def write_sweep(
    sw: Sweep, result: SweepRun, final: Path, argv: list[str], fmt: str = "csv"
) -> list[dict]:
    """The sweep folder, written atomically: sweep.csv, tipping.csv, charts, sweep.md;
    with `fmt` 'parquet' also runs.parquet, every point's runs in one table."""
    from sim.explore.report import sweep_markdown
    from sim.explore.tipping import tipping_points
    from sim.output.folder import atomic_folder
    from sim.output.formats import current_formats
    from sim.output.write import dump_json, in_folder, versions

    states = list(sw.base.states)
    tipping = (
        tipping_points(result.table, sw.axes, states, runs=sw.runs) if sw.design == "grid" else None
    )
    dataset = runs_dataset(sw, result) if fmt == "parquet" else None
    with atomic_folder(final) as out:
        result.table.to_csv(out / "sweep.csv", index=False, lineterminator="\n")
        tables = ["sweep.csv"]
        if tipping is not None:
            tipping.to_csv(out / "tipping.csv", index=False, lineterminator="\n")
            tables.append("tipping.csv")
        if dataset is not None:
            dataset.to_parquet(out / "runs.parquet", index=False, engine="pyarrow")
            tables.append("runs.parquet")
        charts = []  # none drawn, and matplotlib left unimported, under `--formats none`
        if current_formats():
            from sim.charts.sweep import draw

            charts = in_folder(draw(result.table, chart_meta(sw), out / "charts"), "charts")
        (out / "sweep.md").write_text(sweep_markdown(sw, result, tipping, charts), "utf-8")
        dump_json(
            {
                "sweep": sw.name,
                "file": sw.file,
                "base": sw.base_file,
                "base_sha256": scenario_hash(sw.base),
                "design": sw.design,
                "seed": sw.seed,
                "runs": sw.runs,
                "points": len(sw.points),
                "axes": [{"path": a.path, "values": a.values} for a in sw.axes],
                "versions": versions(),
                "command": argv,
                "chart_formats": list(current_formats()),
                "charts": charts,
                "format": fmt,
                "tables": tables,
            },
            out / "manifest.json",
        )
    return charts
