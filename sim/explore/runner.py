"""Run one scenario (a "point") and reduce it to the numbers explore needs.

`simulate` is the ensemble driver (`sim.engine.ensemble.record`): the runs are
cut into the engine's batches and handed to an executor (or run here), then
merged in run order, so the tables are the same whatever ran them. `run_point`
is the task a sweep or a what-if search sends to a worker: it depends only on
the scenario (whose `run.seed` and `run.runs` it uses), never on where it runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.commits import shares_by_state
from sim.analysis.deployed import deployed
from sim.engine.ensemble import record
from sim.engine.record import Recorder
from sim.parallel import Executor
from sim.scenario.arrays import Compiled, compile_scenario
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario

DIGITS = 6
RESULT_VERSION = 1
"""Bump when the contents of a point's result change, so old cache entries are ignored."""


def simulate(
    C: Compiled,
    runs: int | None = None,
    seed: int | None = None,
    detail: int = 0,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, pd.DataFrame], Recorder]:
    """Every run of `C` with the fast engine: (tidy tables, the merged recorder)."""
    rec = record(C, runs, seed, detail, "fast", progress, executor)
    return rec.tables(), rec


def _r(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return round(x, DIGITS) if np.isfinite(x) else None


def _mid(v: Any) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, tuple | list) else float(v)


def outcome_of(runs: pd.DataFrame, commits: pd.DataFrame, states: list[str]) -> dict[str, Any]:
    """Outcome shares, force, time to form and P(commit) per state, from two tidy tables."""
    n = len(runs)
    outcome = runs["outcome"].value_counts()
    force = runs["force"].astype(float)
    formed = runs.loc[runs["outcome"] == "formed", "rounds"]
    p_commit, by_kind, dominant = {}, {}, {}
    kind = commits["kind"].fillna("").astype(str).to_numpy()
    share = commits["p_commit"].to_numpy(float)
    of_state, p_state = shares_by_state(commits)
    for code in states:
        rows = of_state.get(code, [])  # a state's rows, in the table's order
        p_commit[code] = _r(p_state.get(code, 0.0))
        shares = {k: _r(p) for k, p in zip(kind[rows], share[rows], strict=True) if p > 0}
        by_kind[code] = shares
        dominant[code] = max(shares, key=lambda k: (shares[k], k)) if shares else ""
    return {
        "runs": n,
        "p_formed": _r(outcome.get("formed", 0) / n),
        "p_undersized": _r(outcome.get("undersized", 0) / n),
        "p_stalled": _r(outcome.get("stalled", 0) / n),
        "p_deployed": _r(deployed(runs).sum() / n),
        "expected_force": _r(force.mean()),
        "force_median": _r(force.median()),
        "force_p05": _r(force.quantile(0.05)),
        "force_p95": _r(force.quantile(0.95)),
        "rounds_to_form_median": _r(formed.median()) if len(formed) else None,
        "p_commit": p_commit,
        "p_commit_by_kind": by_kind,
        "dominant_kind": dominant,
    }


POINT_TABLES = ("runs", "commits", "states")
"""The tables `point_result` reads."""


def point_result(C: Compiled, tables: dict[str, pd.DataFrame], rec: Recorder) -> dict[str, Any]:
    """What a sweep or what-if keeps of one scenario's ensemble (JSON-ready)."""
    sc = C.scenario
    out = outcome_of(tables["runs"], tables["commits"], C.states)
    final = rec.accept[:, :, -1]  # veto players' acceptance at each run's end
    out["acceptance"] = {v: _r(final[j].mean()) for j, v in enumerate(C.veto_ids)}
    out["accepts"] = {
        v: _r((final[j] >= _mid(sc.veto_players[v].threshold)).mean())
        for j, v in enumerate(C.veto_ids)
    }
    out["thresholds"] = {v: _mid(sc.veto_players[v].threshold) for v in C.veto_ids}
    states = tables["states"]
    if len(states):
        last = states[states["round"] == states.groupby("run")["round"].transform("max")]
        out["final_payoff"] = {
            code: _r(g["payoff"].mean()) for code, g in last.groupby("state", sort=False)
        }
        out["red_line_binds"] = {
            code: _r((g["binding_red_line"].fillna("") != "").mean())
            for code, g in last.groupby("state", sort=False)
        }
    out["scenario_sha256"] = scenario_hash(sc)
    out["seed"] = sc.run.seed
    return out


def run_point(sc: Scenario, detail: int = 0) -> dict[str, Any]:
    """One point: every run of `sc` (its own seed and run count), reduced to numbers."""
    C = compile_scenario(sc)
    rec = record(C, detail=detail)
    return point_result(C, rec.tables(POINT_TABLES), rec)


@cache
def code_fingerprint() -> str:
    """sha256 of the code a point's numbers depend on (scenario, rules, engine, this file).

    Part of every cache key, so a change to the model never serves stale points.
    """
    root = Path(__file__).resolve().parents[1]
    files = [Path(__file__).resolve()]
    for sub in ("scenario", "rules", "engine"):
        files += sorted((root / sub).glob("*.py"))
    h = hashlib.sha256(str(RESULT_VERSION).encode())
    for f in files:
        h.update(f.relative_to(root).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()
