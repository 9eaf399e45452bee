"""The ensemble summary (summary.json) and the facts charts need (meta)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.commits import state_share as commit_share
from sim.analysis.deployed import week as deployed_week
from sim.engine.draws import watched
from sim.numbers import wilson
from sim.scenario.arrays import Compiled, has_shocks

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
            "p_commit": _r(commit_share(rows)),
            "p_commit_ci": _ci(_r(commit_share(rows)), n),
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
        "stalled_detail": stalled_detail(runs, C, tables.get("params")),
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
        "deployment": deployment_summary(tables, C),
    }


def deployment_summary(tables: dict[str, pd.DataFrame], C: Compiled) -> dict:
    """Formed is not deployed: the share of runs with contingents in theatre by the
    end of the watch, how long they took, the strength deployed, and the votes
    (`sim.rules.deployment`). Without a deployment stage, deployed = formed."""
    from sim.rules.deployment import staged

    runs = tables["runs"]
    n = max(len(runs), 1)
    week = deployed_week(runs)
    deployed = week.notna()
    formed = runs["outcome"] != "stalled"
    p = _r(deployed.sum() / n)
    rows = tables.get("deployments", pd.DataFrame())
    states = {}
    for code in C.states:
        mine = rows[rows["state"] == code] if len(rows) else rows
        if not len(mine):
            continue
        votes = mine["approval"].isin(["passed", "failed"])
        states[code] = {
            "p_in_theatre": _r(mine["arrival_week"].notna().sum() / n),
            "p_in_theatre_ci": _ci(_r(mine["arrival_week"].notna().sum() / n), n),
            "votes": int(votes.sum()),
            "votes_passed": _r((mine["approval"] == "passed").sum() / votes.sum())
            if votes.any()
            else None,
        }
    out = {
        "staged": staged(C, C.scenario.run.mechanisms),
        "weeks_watched": watched(C),
        "p_deployed": p,
        "p_deployed_ci": _ci(p, len(runs)),
        "p_formed_not_deployed": _r((formed & ~deployed).sum() / n),
        "week_deployed": _spread(week[deployed]),
        "deployed_force": _spread(runs.loc[deployed, "deployed_force"])
        if "deployed_force" in runs
        else _spread(pd.Series(dtype=float)),
        "states": states,
    }
    if has_shocks(C.scenario):
        out.update(shock_summary(rows, n, states, C))
    return out


def shock_summary(rows: pd.DataFrame, n: int, states: dict, C: Compiled) -> dict:
    """Suspensions and withdrawals under shocks (`sim.rules.withdrawal`): the share of
    runs where any contingent withdrew (95% Wilson interval) or was suspended, and per
    state the share of runs its contingent withdrew (after an incident in theatre, or
    by which event) and was suspended. Only for a scenario that declares shocks."""
    from sim.rules.deployment import shocked

    if "withdrawn_week" not in rows:  # a table from before shocks existed
        rows = pd.DataFrame(columns=["run", "state", "withdrawn_week", "withdrawn_by"])
        rows["suspended_weeks"] = pd.Series(dtype=np.int64)
    out_rows = rows[rows["withdrawn_week"].notna()]
    held = rows[rows["suspended_weeks"] > 0]
    p = _r(out_rows["run"].nunique() / n)
    for code, st in states.items():
        mine = out_rows[out_rows["state"] == code]
        st["p_withdrawn"] = _r(len(mine) / n)
        st["p_withdrawn_ci"] = _ci(st["p_withdrawn"], n)
        st["withdrawn_by"] = {
            str(k): _r(v / n) for k, v in mine["withdrawn_by"].value_counts().sort_index().items()
        }
        st["p_suspended"] = _r((held["state"] == code).sum() / n)
    return {
        "shocks": shocked(C, C.scenario.run.mechanisms),
        "events": list(C.event_names),
        "p_withdrawn": p,
        "p_withdrawn_ci": _ci(p, n),
        "p_suspended": _r(held["run"].nunique() / n),
    }


def stalled_detail(runs: pd.DataFrame, C: Compiled, params: pd.DataFrame | None = None) -> dict:
    """Why stalled runs stalled: short of the minimum, or a veto player rejecting
    the mandate although enough was pledged. Each run is held to its own minimum
    viable force when the minimum is a range (from the `params` table)."""
    minimum: float | pd.Series = float(C.params.broker.minimum_viable[0])
    by_run = drawn_by_run(params, "broker.minimum_viable")
    if by_run is not None:
        minimum = runs["run"].map(by_run).fillna(minimum).astype(float)
    return stalled_shares(runs, minimum, list(C.veto_ids))


def stalled_shares(
    runs: pd.DataFrame, minimum_viable: float | pd.Series, veto_ids: list[str]
) -> dict:
    """`stalled_detail` from a runs table: shares of all runs (not of stalled runs).

    `minimum_viable` is one number, or one per run (a Series aligned with `runs`).
    """
    mask = runs["outcome"] == "stalled"
    stalled = runs[mask]
    if isinstance(minimum_viable, pd.Series):
        minimum_viable = minimum_viable[mask]
    n = max(len(runs), 1)
    by = stalled["rejected_by"].fillna("").astype(str)
    rejected = by != ""
    enough = stalled["force"].astype(float) >= minimum_viable
    codes, named = _split_once(by)
    runs_of = np.bincount(codes, minlength=len(named)).tolist()
    return {
        "short_of_minimum": _r((~enough).sum() / n),
        "mandate_rejected": _r((enough & rejected).sum() / n),
        "rejected_by": {
            v: _r(sum(k for k, names in zip(runs_of, named, strict=True) if v in names) / n)
            for v in veto_ids
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
    codes, texts = _split_once(runs["concessions"])
    made = [[(cid, int(rnd)) for cid, _, rnd in (x.rpartition("@") for x in t)] for t in texts]
    rows = [
        (run, cid, rnd)
        for run, code in zip(runs["run"].tolist(), codes.tolist(), strict=True)
        for cid, rnd in made[code]
    ]
    return pd.DataFrame(rows, columns=["run", "concession", "round"])


def _split_once(column: pd.Series) -> tuple[np.ndarray, list[list[str]]]:
    """Each row's code among the column's distinct texts, and each text's items ("a;b"):
    a few texts recur over many runs, so each is split once (100,000 runs' concessions
    0.4 s split run by run, 0.08 s so)."""
    codes, texts = pd.factorize(column, sort=False, use_na_sentinel=False)
    return codes, [[x for x in str(text).split(";") if x] for text in texts]


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


def drawn_by_run(params: pd.DataFrame | None, name: str) -> dict[int, float] | None:
    """Each run's drawn value of a judgement range (a column of the `params` table, e.g.
    `broker.target`); None when the value is not drawn (or no table is given)."""
    if params is None or name not in params.columns or not len(params):
        return None
    return {int(r): float(v) for r, v in zip(params["run"], params[name], strict=True)}


def drawn_value(tables: dict[str, pd.DataFrame], run: int, name: str) -> float | None:
    """Run `run`'s drawn value of a judgement range; None when it is not drawn."""
    by_run = drawn_by_run(tables.get("params"), name)
    return None if by_run is None else by_run.get(int(run))


def _counted_measure(C: Compiled) -> str:
    """What the target counts ("personnel"): the measure of the counted kinds."""
    measures = {C.scenario.kinds[k].measure for k in C.scenario.force.counts}
    return measures.pop() if len(measures) == 1 else "counted units"


def meta(C: Compiled, tables: dict[str, pd.DataFrame]) -> dict:
    """Scenario facts the charts and reports need beside the tables.

    `target` and `minimum_viable` are the scenario's values (the middle of a
    range); when either is a range, `<name>_range` holds (low, high) and
    `<name>_by_run` each run's own drawn value, from the `params` table.
    """
    sc = C.scenario
    P = C.params
    out = {
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
        "deployment_staged": sc.deployment is not None and sc.run.mechanisms.deployment,
        "weeks_watched": watched(C),
        "in_theatre": float(sc.force.in_theatre),
        "force_measure": _counted_measure(C),
    }
    for name in ("target", "minimum_viable"):
        spec = getattr(sc.broker, name)
        if isinstance(spec, tuple):
            out[f"{name}_range"] = (float(spec[0]), float(spec[1]))
            by_run = drawn_by_run(tables.get("params"), f"broker.{name}")
            if by_run is not None:
                out[f"{name}_by_run"] = by_run
    return out


def _mid(v) -> float:
    return (v[0] + v[1]) / 2 if isinstance(v, tuple) else float(v)
