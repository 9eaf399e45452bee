"""Formed is not deployed: when forces formed, when contingents reached the theatre,
and how strong the deployed force grew.

Left: the share of runs whose force had formed by each week, and the share with
first contingents in theatre, from the runs table; where shocks suspended or
withdrew contingents (`sim.rules.withdrawal`), a third line: the share of runs
with a contingent suspended or withdrawn by each week. Right: the deployed
strength, week by week, among the runs where contingents arrived (median and
5–95%), from the deployments table (each contingent's pledge, arrival week,
suspended spells and withdrawal week), net of suspensions and withdrawals.
Drawn only for a scenario with a deployment stage (`deployment:`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.deployed import deployed
from sim.analysis.deployed import week as deployed_week
from sim.charts import style
from sim.numbers import force, pct, wilson

NAME = "deployment"
REQUIRES = ("runs", "deployments")
TITLE = "From a formed force to troops in theatre"
FORMED_LABEL = "Force formed (at its target, or undersized at the deadline)"
"""Both outcomes that end with a force: the report's P(formed) counts only the first."""
FORMED = "#0072B2"
DEPLOYED = "#CC79A7"
SHOCKED = "#D55E00"


def applies(meta: Mapping) -> bool:
    """Only a scenario with a deployment stage has anything to show here."""
    return bool(meta.get("deployment_staged"))


def cumulative(runs: pd.DataFrame, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """(formed by week t, deployed by week t) as shares of all runs, t = 1..weeks."""
    n = max(len(runs), 1)
    t = np.arange(1, weeks + 1)
    formed_at = runs["rounds"].where(runs["outcome"] != "stalled").astype(float).to_numpy()
    deployed_at = deployed_week(runs).to_numpy(float)
    formed = (formed_at[None, :] <= t[:, None]).sum(axis=1) / n
    deployed = (deployed_at[None, :] <= t[:, None]).sum(axis=1) / n
    return formed, deployed


def _spells(text) -> list[tuple[int, int]]:
    """'6-8;12-12' -> [(6, 8), (12, 12)]: a contingent's suspended weeks."""
    if not isinstance(text, str) or not text:
        return []
    return [(int(a), int(b)) for a, _, b in (x.partition("-") for x in text.split(";"))]


def strength(
    deployments: pd.DataFrame, runs: pd.DataFrame, weeks: int, in_theatre: float
) -> np.ndarray:
    """(runs that deployed, weeks): deployed strength at the end of each week, each
    contingent counted from its arrival week, except while suspended and from the
    week it withdrew (columns `suspended`, `withdrawn_week`, where the table has them)."""
    ids = runs.loc[deployed(runs), "run"].to_numpy()
    rows = deployments[deployments["arrival_week"].notna() & deployments["run"].isin(ids)]
    out = np.full((len(ids), weeks), float(in_theatre))
    where = {r: i for i, r in enumerate(ids)}
    spells = rows["suspended"] if "suspended" in rows else pd.Series("", index=rows.index)
    gone = rows["withdrawn_week"] if "withdrawn_week" in rows else pd.Series(pd.NA, rows.index)
    for run, pledge, week, held, left in zip(
        rows["run"], rows["pledge"], rows["arrival_week"], spells, gone, strict=True
    ):
        there = np.zeros(weeks, bool)
        there[int(week) - 1 :] = True
        for a, b in _spells(held):
            there[a - 1 : b] = False
        if pd.notna(left):
            there[int(left) - 1 :] = False
        out[where[run]] += float(pledge) * there
    return out


def shocked(deployments: pd.DataFrame, runs: pd.DataFrame, weeks: int) -> np.ndarray | None:
    """(weeks,): share of all runs with a contingent suspended or withdrawn by week t;
    None where no contingent was (or the table has no such columns)."""
    if "withdrawn_week" not in deployments or "suspended" not in deployments:
        return None
    first = {}
    for run, held, left in zip(
        deployments["run"], deployments["suspended"], deployments["withdrawn_week"], strict=True
    ):
        weeks_hit = [a for a, _ in _spells(held)] + ([int(left)] if pd.notna(left) else [])
        if weeks_hit:
            first[run] = min(first.get(run, weeks + 1), *weeks_hit)
    if not first:
        return None
    at = np.array(list(first.values()))
    t = np.arange(1, weeks + 1)
    return (at[None, :] <= t[:, None]).sum(axis=1) / max(len(runs), 1)


def _caption(runs: pd.DataFrame, weeks: int, deployments: pd.DataFrame | None = None) -> str:
    n = len(runs)
    outcome = runs["outcome"]
    at_target, under = ((outcome == o).mean() if n else 0.0 for o in ("formed", "undersized"))
    formed = at_target + under
    share = deployed(runs).mean() if n else 0.0
    median = deployed_week(runs).dropna().median() if share else None
    when = f"; the first arrived in week {median:.0f} (median)" if median is not None else ""
    text = (
        f"A force formed in {pct(formed)} of {n:,} runs ({_interval(formed, n)}): "
        f"{pct(at_target)} at its target, {pct(under)} undersized at the deadline; "
        f"contingents were in theatre by week {weeks} in {pct(share)} "
        f"({_interval(share, n)}){when}."
    )
    return text + _shock_note(runs, deployments)


def _interval(share: float, n: int) -> str:
    lo, hi = wilson(share, n)
    return f"95% interval {pct(lo)}–{pct(hi)}"


def _shock_note(runs: pd.DataFrame, deployments: pd.DataFrame | None) -> str:
    """' A contingent withdrew in 12% of runs (…); one was suspended in 30%. The deployed
    strength is net of them.', where shocks acted (`sim.rules.withdrawal`)."""
    if deployments is None or "withdrawn_week" not in deployments or not len(runs):
        return ""
    n = len(runs)
    out = deployments.loc[deployments["withdrawn_week"].notna(), "run"].nunique() / n
    held = deployments.loc[deployments["suspended_weeks"] > 0, "run"].nunique() / n
    if not out and not held:
        return ""
    lo, hi = wilson(out, n)
    return (
        f" A contingent withdrew in {pct(out)} of runs (95% interval {pct(lo)}–{pct(hi)}) and "
        f"one was suspended for a while in {pct(held)}; the deployed strength counts neither "
        "a suspended nor a withdrawn contingent."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Two panels: shares formed and deployed by week; deployed strength by week."""
    runs, deployments = tables["runs"], tables["deployments"]
    weeks = int(meta.get("weeks_watched") or meta.get("deadline") or 1)
    deadline = meta.get("deadline")
    t = np.arange(1, weeks + 1)
    with style.chart_style():
        fig, (left, right) = style.new_figures(12.0, 4.6, 2)
        style.titles(fig, left, TITLE, style.subtitle(meta, f"{len(runs):,} runs"), pinned=True)
        formed, deployed = cumulative(runs, weeks)
        left.step(t, formed, where="post", color=FORMED, linewidth=2, label=FORMED_LABEL)
        left.step(t, deployed, where="post", color=DEPLOYED, linewidth=2,
                  label="First contingents in theatre")  # fmt: skip
        hit = shocked(deployments, runs, weeks)
        if hit is not None:
            left.step(t, hit, where="post", color=SHOCKED, linewidth=2, linestyle="--",
                      label="A contingent suspended or withdrawn (arrived or not)")  # fmt: skip
        if deadline and deadline <= weeks:
            style.deadline_line(left, int(deadline))
        highest = max(formed.max(initial=0), deployed.max(initial=0))
        if hit is not None:
            highest = max(highest, hit.max(initial=0))
        top = style.nice_share_top(float(highest))
        left.set_ylim(0, top)
        style.share_axis(left, top, which="y")
        left.set_ylabel("Share of runs, by week")
        style.round_axis(left)
        left.set_xlabel("Week")
        # Below the panel: inside it, the legend would hide a line that reaches the top.
        # One column with the shocks' long entry: two would be wider than the panel, and
        # constrained layout would widen the panel's column for it, squeezing the other.
        left.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), fontsize=8.5,
                    ncols=1 if hit is not None else 2)  # fmt: skip
        sizes = strength(deployments, runs, weeks, float(meta.get("in_theatre") or 0.0))
        if len(sizes):
            q = np.quantile(sizes, [0.05, 0.5, 0.95], axis=0)
            right.fill_between(t, q[0], q[2], step="post", color=DEPLOYED, alpha=0.2,
                               linewidth=0, label="5–95% of those runs")  # fmt: skip
            right.step(t, q[1], where="post", color=DEPLOYED, linewidth=2, label="Median")
        else:
            style.empty_note(right, "No contingent reached the theatre in any run.")
        right.yaxis.set_major_formatter(lambda v, _pos: force(v))
        right.set_xlim(left.get_xlim())  # the same weeks, with or without contingents
        target, band, _ = style.target_of(runs, meta)
        style.target_lines(right, target, band=band)
        right.set_ylim(bottom=0)
        net = "\n(net of suspensions and withdrawals)" if hit is not None else ""
        where = f", in the {len(sizes):,} runs where contingents arrived" if len(sizes) else ""
        right.set_title(f"Deployed strength{where}{net}", fontsize=9.5, loc="left", **style.TOP)
        right.set_ylabel(f"Deployed ({meta.get('force_measure') or 'personnel'})")
        style.round_axis(right)
        right.set_xlabel("Week")
        if len(sizes) or target:
            right.legend(loc="lower right", fontsize=8.5)
        files = style.save(fig, out_dir, NAME)
    return {"name": NAME, **files, "title": TITLE,
            "caption": _caption(runs, weeks, deployments)}  # fmt: skip
