"""Formed is not deployed: when forces formed, when contingents reached the theatre,
and how strong the deployed force grew.

Left: the share of runs whose force had formed by each week, and the share with
first contingents in theatre, from the runs table. Right: the deployed strength,
week by week, among the runs where contingents arrived (median and 5–95%), from
the deployments table (each contingent's pledge and arrival week). Drawn only
for a scenario with a deployment stage (`deployment:`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.charts import style
from sim.numbers import force, pct, wilson

NAME = "deployment"
REQUIRES = ("runs", "deployments")
TITLE = "From a formed force to troops in theatre"
FORMED = "#0072B2"
DEPLOYED = "#CC79A7"


def applies(meta: Mapping) -> bool:
    """Only a scenario with a deployment stage has anything to show here."""
    return bool(meta.get("deployment_staged"))


def cumulative(runs: pd.DataFrame, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """(formed by week t, deployed by week t) as shares of all runs, t = 1..weeks."""
    n = max(len(runs), 1)
    t = np.arange(1, weeks + 1)
    formed_at = runs["rounds"].where(runs["outcome"] != "stalled").astype(float).to_numpy()
    deployed_at = runs["deployed_week"].astype("Float64").to_numpy(float, na_value=np.nan)
    formed = (formed_at[None, :] <= t[:, None]).sum(axis=1) / n
    deployed = (deployed_at[None, :] <= t[:, None]).sum(axis=1) / n
    return formed, deployed


def strength(
    deployments: pd.DataFrame, runs: pd.DataFrame, weeks: int, in_theatre: float
) -> np.ndarray:
    """(runs that deployed, weeks): deployed strength at the end of each week."""
    ids = runs.loc[runs["deployed_week"].notna(), "run"].to_numpy()
    rows = deployments[deployments["arrival_week"].notna() & deployments["run"].isin(ids)]
    out = np.full((len(ids), weeks), float(in_theatre))
    where = {r: i for i, r in enumerate(ids)}
    for run, pledge, week in zip(rows["run"], rows["pledge"], rows["arrival_week"], strict=True):
        out[where[run], int(week) - 1 :] += float(pledge)
    return out


def _caption(runs: pd.DataFrame, weeks: int) -> str:
    n = len(runs)
    formed = (runs["outcome"] != "stalled").mean() if n else 0.0
    deployed = runs["deployed_week"].notna().mean() if n else 0.0
    lo, hi = wilson(deployed, n)
    median = runs["deployed_week"].dropna().median() if deployed else None
    when = f"; the first arrived in week {median:.0f} (median)" if median is not None else ""
    return (
        f"A force formed in {pct(formed)} of {n:,} runs; contingents were in theatre by "
        f"week {weeks} in {pct(deployed)} (95% interval {pct(lo)}–{pct(hi)}){when}."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Two panels: shares formed and deployed by week; deployed strength by week."""
    runs, deployments = tables["runs"], tables["deployments"]
    weeks = int(meta.get("weeks_watched") or meta.get("deadline") or 1)
    deadline = meta.get("deadline")
    t = np.arange(1, weeks + 1)
    with style.chart_style():
        fig, (left, right) = style.new_figures(12.0, 4.6, 2)
        style.titles(fig, left, TITLE, style.subtitle(meta, f"{len(runs):,} runs"))
        formed, deployed = cumulative(runs, weeks)
        left.step(t, formed, where="post", color=FORMED, linewidth=2, label="Force formed")
        left.step(t, deployed, where="post", color=DEPLOYED, linewidth=2,
                  label="First contingents in theatre")  # fmt: skip
        if deadline and deadline <= weeks:
            style.deadline_line(left, int(deadline))
        top = style.nice_share_top(float(max(formed.max(initial=0), deployed.max(initial=0))))
        left.set_ylim(0, top)
        style.share_axis(left, top, which="y")
        left.set_ylabel("Share of runs, by week")
        style.round_axis(left)
        left.set_xlabel("Week")
        left.legend(loc="upper left", fontsize=8.5)
        sizes = strength(deployments, runs, weeks, float(meta.get("in_theatre") or 0.0))
        if len(sizes):
            q = np.quantile(sizes, [0.05, 0.5, 0.95], axis=0)
            right.fill_between(t, q[0], q[2], step="post", color=DEPLOYED, alpha=0.2,
                               linewidth=0, label="5–95% of those runs")  # fmt: skip
            right.step(t, q[1], where="post", color=DEPLOYED, linewidth=2, label="Median")
            right.yaxis.set_major_formatter(lambda v, _pos: force(v))
        else:
            style.empty_note(right, "No contingent reached the theatre in any run.")
        style.target_lines(right, meta.get("target"))
        right.set_ylim(bottom=0)
        right.set_title(
            f"Deployed strength, in the {len(sizes):,} runs where contingents arrived",
            fontsize=9.5,
            loc="left",
        )
        right.set_ylabel(f"Deployed ({meta.get('force_measure') or 'personnel'})")
        style.round_axis(right)
        right.set_xlabel("Week")
        if len(sizes) or meta.get("target"):
            right.legend(loc="lower right", fontsize=8.5)
        png, svg = style.save(fig, out_dir, NAME)
    return {"name": NAME, "png": png, "svg": svg, "title": TITLE,
            "caption": _caption(runs, weeks)}  # fmt: skip
