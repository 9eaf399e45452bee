"""The tidy tables of an ensemble, built from its recorder once its runs are recorded.

The runs themselves need no pandas, so a forked helper can compute them while the
command imports pandas and matplotlib (`sim.fork._warm`); `Recorder.tables` imports
this module, and pandas with it, once they are done. Every
table is sorted by run (and round, state), whatever the engine or the order in which
batches finished.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.engine.record import DEPLOY_COLUMNS, Recorder


def build(rec: Recorder, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The tables named in `names` (`sim.engine.record.TABLES`), by name."""
    return {name: BUILDERS[name](rec) for name in names}


def runs(rec: Recorder) -> pd.DataFrame:
    """One row per run: how it ended, and the week its first contingent arrived."""
    cols = dict(rec.run_cols)
    week = np.asarray(cols["deployed_week"], np.int64)
    cols["deployed_week"] = pd.array(np.maximum(week, 0), dtype="Int64")
    cols["deployed_week"][week < 0] = pd.NA  # no contingent arrived
    table = pd.DataFrame(cols)
    return table.sort_values("run", kind="stable", ignore_index=True)


def states(rec: Recorder) -> pd.DataFrame:
    """Each state in each week of the detail runs, in the scenario's order of states."""
    if not rec.state_rows:
        return pd.DataFrame()
    table = _stacked(rec.state_rows)
    order = {s: i for i, s in enumerate(rec.C.states)}
    table["_s"] = table["state"].map(order)
    table = table.sort_values(["run", "round", "_s"], kind="stable", ignore_index=True)
    return table.drop(columns="_s")


def rounds(rec: Recorder) -> pd.DataFrame:
    """Each week of the detail runs."""
    if not rec.round_rows:
        return pd.DataFrame()
    table = _stacked(rec.round_rows)
    if len(table):
        table = table.sort_values(["run", "round"], kind="stable", ignore_index=True)
    return table


def deployments(rec: Recorder) -> pd.DataFrame:
    """One row per contingent of a formed run: its approval vote, first week in
    theatre, suspensions and withdrawal (a missing week is a blank)."""
    cols = rec.deploy_cols
    table = pd.DataFrame(cols if cols["run"] else [], columns=list(DEPLOY_COLUMNS))
    for name in ("arrival_week", "withdrawn_week"):
        table[name] = table[name].astype("Int64")
    table["suspended_weeks"] = table["suspended_weeks"].astype(np.int64)
    order = {s: i for i, s in enumerate(rec.C.states)}
    table["_s"] = table["state"].map(order)
    table = table.sort_values(["run", "_s"], kind="stable", ignore_index=True)
    return table.drop(columns="_s")


def params(rec: Recorder) -> pd.DataFrame:
    """The experiments table: one row per run, one column per drawn value."""
    from sim.scenario.drawn import drawn_names

    names = drawn_names(rec.C)
    if not rec.drawn:
        return pd.DataFrame(columns=["run", *names])
    ids = np.concatenate([r for r, _ in rec.drawn])
    # Column by column in memory, as pandas keeps a table's columns: built so at once,
    # the table is not copied again (100,000 runs: 0.07 s where a copy took 1-2 s).
    values = np.empty((len(ids), len(names)), order="F")
    np.concatenate([v for _, v in rec.drawn], out=values)
    table = pd.DataFrame(values, columns=names, copy=False)
    table.insert(0, "run", ids.astype(np.int64))
    if (np.diff(ids) > 0).all():  # merged in run order, as an ensemble is: already sorted
        return table
    return table.sort_values("run", kind="stable", ignore_index=True)


def commits(rec: Recorder) -> pd.DataFrame:
    """Each state and kind: the share of runs it committed in, led with, and its mean
    pledge."""
    C = rec.C
    rows = [
        {
            "state": s,
            "kind": k,
            "p_commit": rec.commits[i, j] / rec.runs,
            "p_lead": rec.leads[i, j] / rec.runs,
            "mean_pledge": rec.pledges[i, j] / rec.runs,
        }
        for i, s in enumerate(C.states)
        for j, k in enumerate(C.kinds)
    ]
    return pd.DataFrame(rows)


def coalitions(rec: Recorder) -> pd.DataFrame:
    """Each coalition that formed and its share of runs, the most frequent first."""
    items = sorted(rec.coalitions.items(), key=lambda kv: (-kv[1], kv[0]))
    return pd.DataFrame(
        {"members": [k for k, _ in items], "share": [v / rec.runs for _, v in items]}
    )


def bands(rec: Recorder) -> pd.DataFrame:
    """The weekly counted force and each veto player's acceptance: median, 5% and 95%
    across runs."""
    series = {"force": rec.force}
    for j, vid in enumerate(rec.C.veto_ids):
        series[f"accept.{vid}"] = rec.accept[j]
    rows = []
    for name, arr in series.items():
        q = np.quantile(arr, [0.5, 0.05, 0.95], axis=0)
        for t in range(arr.shape[1]):
            rows.append(
                {
                    "round": t + 1,
                    "series": name,
                    "median": q[0, t],
                    "p05": q[1, t],
                    "p95": q[2, t],
                }
            )
    return pd.DataFrame(rows)


def _stacked(parts: list[dict[str, np.ndarray]]) -> pd.DataFrame:
    """One table from column arrays recorded week by week (each part a dict of columns)."""
    return pd.DataFrame({k: np.concatenate([p[k] for p in parts]) for k in parts[0]})


BUILDERS = {
    "runs": runs,
    "deployments": deployments,
    "rounds": rounds,
    "states": states,
    "commits": commits,
    "coalitions": coalitions,
    "bands": bands,
    "params": params,
}
"""Each table's builder, by the name `TABLES` gives it."""
