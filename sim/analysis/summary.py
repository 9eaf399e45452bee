"""The ensemble summary (summary.json) and the facts charts need (meta)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.numbers import wilson
from sim.scenario.arrays import Compiled

DIGITS = 6
TOP_COALITIONS = 10


def _r(x: float) -> float | None:
    """Round for JSON; NaN (nothing to summarise) becomes null."""
    return None if x is None or not np.isfinite(x) else round(float(x), DIGITS)


def _ci(p: float | None, n: int) -> list[float | None]:
    """The 95% Wilson interval of a share of `n` runs, as [lo, hi] for JSON."""
    if p is None:
        return [None, None]
    lo, hi = wilson(p, n)
    return [_r(lo), _r(hi)]


def _spread(force: pd.Series) -> dict:
    """Median and 5–95% of a force distribution, and how many runs it covers."""
    force = force.astype(float)
    if not len(force):
        return {"runs": 0, "median": None, "p05": None, "p95": None}
    return {
        "runs": len(force),
        "median": _r(force.median()),
        "p05": _r(force.quantile(0.05)),
        "p95": _r(force.quantile(0.95)),
    }


def summarise(tables: dict[str, pd.DataFrame], C: Compiled) -> dict:
    """Aggregate every run into the summary.json mapping."""
    runs = tables["runs"]
    n = len(runs)
    outcome = runs["outcome"].value_counts()
    formed = runs.loc[runs["outcome"] == "formed", "rounds"]
    commits = tables["commits"]
    states = {}
    for code in C.states:
        rows = commits[commits["state"] == code]
        counted = rows["kind"].isin(C.scenario.force.counts)
        states[code] = {
            "name": C.scenario.states[code].name,
            "p_commit": _r(rows["p_commit"].sum()),
            "p_commit_ci": _ci(_r(rows["p_commit"].sum()), n),
            "p_commit_by_kind": {
                k: _r(p) for k, p in zip(rows["kind"], rows["p_commit"], strict=True)
            },
            "mean_pledge": _r(rows.loc[counted, "mean_pledge"].sum()),
            "mean_pledge_by_kind": {
                k: _r(p) for k, p in zip(rows["kind"], rows["mean_pledge"], strict=True)
            },
        }
    coal = tables["coalitions"].head(TOP_COALITIONS)
    shares = {k: _r(outcome.get(k, 0) / n) for k in ("formed", "undersized", "stalled")}
    return {
        "scenario": C.scenario.name,
        "runs": n,
        "outcome": shares,
        "outcome_ci": {k: _ci(p, n) for k, p in shares.items()},
        "stalled_detail": stalled_detail(runs, C),
        "force": {
            "median": _r(runs["force"].median()),
            "p05": _r(runs["force"].quantile(0.05)),
            "p95": _r(runs["force"].quantile(0.95)),
        },
        # The counted force is two groups (runs that formed, runs that stalled):
        # each is summarised apart, so a median of 0 never sits beside P(formed) 48%.
        "force_formed": _spread(runs.loc[runs["outcome"] != "stalled", "force"]),
        "force_stalled": _spread(runs.loc[runs["outcome"] == "stalled", "force"]),
        "rounds_to_form": {
            "median": _r(formed.median()) if len(formed) else None,
            "p05": _r(formed.quantile(0.05)) if len(formed) else None,
            "p95": _r(formed.quantile(0.95)) if len(formed) else None,
        },
        "states": states,
        "coalitions": [
            {"members": m.split(";") if m else [], "share": _r(s)}
            for m, s in zip(coal["members"], coal["share"], strict=True)
        ],
        "concessions": concession_summary(runs, C),
    }


def stalled_detail(runs: pd.DataFrame, C: Compiled) -> dict:
    """Why stalled runs stalled: short of the minimum, or a veto player rejecting
    the mandate although enough was pledged."""
    return stalled_shares(runs, float(C.params.broker.minimum_viable[0]), list(C.veto_ids))


def stalled_shares(runs: pd.DataFrame, minimum_viable: float, veto_ids: list[str]) -> dict:
    """`stalled_detail` from a runs table: shares of all runs (not of stalled runs)."""
    stalled = runs[runs["outcome"] == "stalled"]
    n = max(len(runs), 1)
    by = stalled["rejected_by"].fillna("").astype(str)
    rejected = by != ""
    enough = stalled["force"].astype(float) >= minimum_viable
    return {
        "short_of_minimum": _r((~enough).sum() / n),
        "mandate_rejected": _r((enough & rejected).sum() / n),
        "rejected_by": {
            v: _r(by.str.split(";").apply(lambda x, v=v: v in x).sum() / n) for v in veto_ids
        },
    }


def concession_summary(runs: pd.DataFrame, C: Compiled) -> dict:
    """Share of runs that made each concession, and the median round it came."""
    out = {}
    made = parse_concessions(runs)
    for cid in C.concessions:
        rounds = made.loc[made["concession"] == cid, "round"]
        out[cid] = {
            "share": _r(len(rounds) / max(len(runs), 1)),
            "median_round": _r(rounds.median()) if len(rounds) else None,
        }
    return out


def parse_concessions(runs: pd.DataFrame) -> pd.DataFrame:
    """runs.concessions ("id@round;...") as a tidy (run, concession, round) table."""
    rows = []
    for run, text in zip(runs["run"], runs["concessions"], strict=True):
        for item in filter(None, str(text).split(";")):
            cid, _, rnd = item.rpartition("@")
            rows.append({"run": run, "concession": cid, "round": int(rnd)})
    return pd.DataFrame(rows, columns=["run", "concession", "round"])


def representative_run(tables: dict[str, pd.DataFrame]) -> int:
    """The detail run closest to the typical run: modal outcome, then median force.

    Ties go to the lowest run number, so the choice is reproducible.
    """
    runs = tables["runs"]
    detail = set(tables["states"]["run"].unique()) if len(tables["states"]) else {0}
    mode = runs["outcome"].value_counts().sort_index().idxmax()
    same = runs[runs["outcome"] == mode]
    target = same["force"].median()
    pool = same[same["run"].isin(detail)]
    if pool.empty:
        pool = runs[runs["run"].isin(detail)]
    dist = (pool["force"] - target).abs()
    best = pool.assign(_d=dist).sort_values(["_d", "run"], kind="stable")
    return int(best["run"].iloc[0])


def meta(C: Compiled, tables: dict[str, pd.DataFrame]) -> dict:
    """Scenario facts the charts and reports need beside the tables."""
    sc = C.scenario
    P = C.params
    return {
        "title": sc.title,
        "scenario": sc.name,
        "target": float(P.broker.target[0]),
        "minimum_viable": float(P.broker.minimum_viable[0]),
        "deadline": sc.broker.deadline,
        "rounds": sc.broker.deadline,
        "runs": len(tables["runs"]),
        "states": {c: sc.states[c].name for c in C.states},
        "kinds": {k: sc.kinds[k].label for k in C.kinds},
        "kind_measure": {k: sc.kinds[k].measure for k in C.kinds},
        "counted_kinds": list(sc.force.counts),
        "veto_players": {v: sc.veto_players[v].name for v in C.veto_ids},
        "veto_thresholds": {v: _mid(sc.veto_players[v].threshold) for v in C.veto_ids},
        "hosts": {h: sc.hosts[h].name for h in C.host_ids},
        "concessions": {c.id: c.label or c.id.replace("_", " ") for c in sc.broker.concessions},
        "representative_run": representative_run(tables),
    }


def _mid(v) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, tuple) else float(v)
