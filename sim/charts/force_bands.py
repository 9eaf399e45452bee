"""How runs end, week by week, and the force of the runs that formed.

Outcomes are split, not averaged: in most scenarios about half the runs end
with no counted force and the rest at or near the target, so a median and a
5–95% band across all runs would suggest a continuum that no run follows. The
top panel stacks the share of runs formed, formed undersized, stalled (and
why) or still negotiating at each week, from the runs table (outcome and the
week it ended); the bottom panel shows the counted force of each run that
formed, at the week it formed, with their median and 5–95% band.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.charts import style
from sim.numbers import force, share_ci

NAME = "force_bands"
REQUIRES = ("runs",)
TITLE = "How runs end, week by week, and the force of those that formed"

GROUPS: tuple[tuple[str, str], ...] = (
    ("formed", "#0072B2"),
    ("undersized", "#56B4E9"),
    ("negotiating", "#e4e4e4"),
    ("stalled_other", "#E69F00"),
    ("stalled_rejected", "#CC79A7"),
    ("stalled_short", "#D55E00"),
)
"""Outcome groups, bottom of the stack first, with their colours."""
DEPLOYED = ("formed", "undersized")
BAND = "#0072B2"


def _group_names(meta: Mapping, rejecters: list[str]) -> dict[str, str]:
    who = ", ".join(meta.get("veto_players", {}).get(v) or v for v in rejecters)
    return {
        "formed": "formed (target met, mandate accepted)",
        "undersized": "formed undersized at the deadline",
        "negotiating": "still negotiating",
        "stalled_other": "stalled: enough pledged, not deployable",
        "stalled_rejected": f"stalled: mandate rejected{f' by {who}' if who else ''}",
        "stalled_short": "stalled: short of the minimum viable force",
    }


def classify(runs: pd.DataFrame, minimum: float | None) -> pd.Series:
    """Each run's end as one of the GROUPS keys (never 'negotiating')."""
    outcome = runs["outcome"].astype(str)
    rejected = runs.get("rejected_by", pd.Series("", index=runs.index))
    rejected = rejected.fillna("").astype(str) != ""
    enough = runs["force"].astype(float) >= (minimum or 0.0)
    stalled = np.where(
        ~enough, "stalled_short", np.where(rejected, "stalled_rejected", "stalled_other")
    )
    group = np.where(outcome.isin(DEPLOYED), outcome, stalled)
    return pd.Series(group, index=runs.index)


def shares_by_week(runs: pd.DataFrame, minimum: float | None, last: int) -> pd.DataFrame:
    """Weeks 1..last × GROUPS: share of all runs in each state at the end of the week."""
    weeks = np.arange(1, max(last, 1) + 1)
    group = classify(runs, minimum).to_numpy()
    ended = runs["rounds"].astype(int).to_numpy()
    n = max(len(runs), 1)
    table = {}
    for key, _ in GROUPS:
        if key == "negotiating":
            table[key] = [(ended > w).sum() / n for w in weeks]
        else:
            table[key] = [((group == key) & (ended <= w)).sum() / n for w in weeks]
    return pd.DataFrame(table, index=pd.Index(weeks, name="week"))


def _rejecters(runs: pd.DataFrame, meta: Mapping) -> list[str]:
    if "rejected_by" not in runs:
        return []
    found = {v for cell in runs["rejected_by"].fillna("").astype(str) for v in cell.split(";") if v}
    listed = [v for v in meta.get("veto_players", {}) if v in found]
    return listed + sorted(found - set(listed))


def _top_panel(ax, shares: pd.DataFrame, names: dict[str, str], overall: dict[str, float], n: int):
    """The stacked shares by week, each group one filled step area (a bar a week, one
    patch for all of them: a patch per week cost a tenth of the chart); each end's
    legend entry carries its share of all `n` runs with the 95% interval the report
    prints."""
    bottom = np.zeros(len(shares))
    edges = np.append(shares.index.to_numpy() - 0.5, shares.index[-1] + 0.5)
    handles = []
    for key, colour in GROUPS:
        values = shares[key].to_numpy()
        if not values.any():
            continue
        ax.stairs(bottom + values, edges, baseline=bottom.copy(), fill=True, color=colour,
                  linewidth=0)  # fmt: skip
        bottom += values
        share = f": {share_ci(overall[key], n)}" if key != "negotiating" else ""
        handles.append(Patch(facecolor=colour, label=names[key] + share))
    ax.set_ylim(0, 1)
    style.share_axis(ax, 1.0, which="y", ticks=5)
    ax.set_ylabel("Share of runs")
    return handles[::-1]  # legend reads top of the stack first


def _who(group: pd.Series) -> str:
    """'runs that formed', saying so when it includes runs formed undersized."""
    return "runs that formed" + (" (incl. undersized)" if (group == "undersized").any() else "")


def _bottom_panel(ax, runs: pd.DataFrame, meta: Mapping, group: pd.Series) -> list:
    deployed = runs[group.isin(DEPLOYED)]
    who = _who(group)
    target, band, _ = style.target_of(runs, meta)
    minimum = meta.get("minimum_viable")
    handles: list = []
    if deployed.empty:
        style.empty_note(ax, "No run formed, so there is no counted force to show.")
    else:
        values = deployed["force"].astype(float)
        lo, med, hi = (float(values.quantile(q)) for q in (0.05, 0.5, 0.95))
        band_patch = ax.axhspan(lo, hi, color=BAND, alpha=0.13, linewidth=0, zorder=0)
        band_patch.set_label(f"5–95% of {who}: {force(lo)}–{force(hi)}")
        ax.axhline(med, color=BAND, linewidth=1.6, zorder=1,
                   label=f"median of {who}: {force(med)}")  # fmt: skip
        jitter = np.random.default_rng(0).uniform(-0.22, 0.22, len(deployed))
        for key, colour, marker in (("formed", "#0072B2", "o"), ("undersized", "#56B4E9", "D")):
            rows = group.loc[deployed.index] == key
            if rows.any():
                ax.scatter(
                    deployed.loc[rows, "rounds"].astype(float) + jitter[rows.to_numpy()],
                    deployed.loc[rows, "force"].astype(float),
                    s=14,
                    color=colour,
                    alpha=0.55,
                    marker=marker,
                    linewidth=0,
                    zorder=3,
                    label="one run that formed" if key == "formed" else "one run formed undersized",
                )
    style.target_lines(ax, target, minimum, band=band)
    top = max([target or 0, minimum or 0, *deployed["force"].astype(float).tolist(), 1.0])
    ax.set_ylim(0, top * 1.12)
    ax.set_ylabel("Counted force (personnel)")
    ax.yaxis.set_major_formatter(lambda v, _pos: force(v))
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)
    handles, _ = ax.get_legend_handles_labels()
    return handles


def _caption(runs: pd.DataFrame, meta: Mapping, group: pd.Series) -> str:
    n = len(runs)
    if n == 0:
        return "No run was recorded, so no outcome is shown."
    share = group.value_counts(normalize=True)
    formed = runs[group == "formed"]
    stalled = sum(share.get(k, 0.0) for k in ("stalled_short", "stalled_rejected", "stalled_other"))
    week = f" (median week {formed['rounds'].median():.0f})" if len(formed) else ""
    text = (
        f"Of {n:,} runs (in brackets: 95% interval), {share_ci(share.get('formed', 0.0), n)} "
        f"formed{week}, {share_ci(share.get('undersized', 0.0), n)} formed undersized at the "
        f"deadline and {share_ci(stalled, n)} stalled"
    )
    deployed = runs[group.isin(DEPLOYED)]["force"].astype(float)
    if len(deployed):
        target = style.target_of(runs, meta)[0]
        versus = f", against a target of {force(target)}" if target else ""
        text += (
            f"; {_who(group)} counted a median {force(deployed.median())} personnel "
            f"(5–95%: {force(deployed.quantile(0.05))}–{force(deployed.quantile(0.95))}){versus}"
        )
    return text + "."


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the outcome shares by week above the force of the runs that formed."""
    runs = tables["runs"]
    minimum = meta.get("minimum_viable")
    group = classify(runs, minimum) if len(runs) else pd.Series([], dtype=str)
    deadline = meta.get("deadline")
    last = int(max([deadline or 1, *runs["rounds"].astype(int).tolist()]))
    names = _group_names(meta, _rejecters(runs, meta))
    overall = {k: float((group == k).mean()) if len(runs) else 0.0 for k, _ in GROUPS}
    with style.chart_style():
        fig, (top, bottom) = plt.subplots(
            2,
            1,
            figsize=(9.2, 6.6),
            layout="constrained",
            sharex=True,
            height_ratios=[1, 1.15],
            FigureClass=style.ChartFigure,
        )
        runs_n = meta.get("runs") or len(runs)
        source = style.target_of(runs, meta)[2]
        style.titles(fig, top, TITLE, style.subtitle(meta, f"{runs_n:,} runs", source), pinned=True)
        if runs.empty:
            style.empty_note(top, "No run in the runs table.")
            top_handles: list = []
        else:
            by_week = shares_by_week(runs, minimum, last)
            top_handles = _top_panel(top, by_week, names, overall, len(runs))
        bottom_handles = _bottom_panel(bottom, runs, meta, group)
        bottom.set_title(f"Counted force of the {_who(group)}, at the week each ended",
                         loc="left", fontsize=9, color=style.INK, **style.TOP)  # fmt: skip
        if deadline:
            for ax in (top, bottom):
                ax.axvline(deadline + 0.5, zorder=4, **style.DEADLINE)
            bottom_handles.append(
                plt.Line2D([], [], label=f"Deadline (end of week {deadline})", **style.DEADLINE)
            )
        bottom.set_xlim(0.5, last + 0.75)
        style.round_axis(bottom)
        if top_handles:
            top.legend(handles=top_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                       title="Runs at the end of the week\n(share of all runs, 95% interval)",
                       title_fontsize=8.5,
                       alignment="left")  # fmt: skip
        if bottom_handles:
            bottom.legend(handles=bottom_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        files = style.save(fig, out_dir, NAME)
    caption = _caption(runs, meta, group)
    return {"name": NAME, **files, "title": TITLE, "caption": caption}
