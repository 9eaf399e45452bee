"""The most frequent final coalitions and their share of runs, split by outcome.

A coalition is the set of states counted toward the target at the end of a run;
the same set can end a run that formed and one that stalled (a lone small
contributor is usually a stalled run), so each bar is split by how the runs
ended, from the runs table (coalition and outcome of every run).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.charts import style
from sim.numbers import pct, share_ci

NAME = "coalitions"
REQUIRES = ("coalitions", "runs")
TITLE = "Most frequent coalitions at the end of a run"
TOP = 10
NOBODY = "no counted contributor"
BAR = "#2d004b"
OUTCOMES: tuple[tuple[str, str, str], ...] = (
    ("formed", "formed", "#0072B2"),
    ("undersized", "formed undersized", "#56B4E9"),
    ("stalled", "stalled", "#D55E00"),
)
"""Outcome, legend label and colour (the colours of the force_bands chart)."""


def _label(members: str, width: int = 34) -> str:
    """'EGY;IDN;PAK' -> 'EGY, IDN, PAK', wrapped; '' -> 'no counted contributor'."""
    codes = [c for c in str(members).split(";") if c]
    return style.wrap(", ".join(codes), width) if codes else NOBODY


def _spoken(members: str, most: int = 6) -> str:
    """Members for a sentence: all codes if few, else the count and the first three."""
    codes = [c for c in members.split(";") if c]
    if not codes:
        return NOBODY
    if len(codes) <= most:
        return ", ".join(codes)
    return (
        f"a coalition of {len(codes)} states ({', '.join(codes[:3])} and {len(codes) - 3} others)"
    )


def _top(coalitions: pd.DataFrame) -> pd.DataFrame:
    """The ≤10 largest shares, most frequent first (ties by members, for stability)."""
    table = coalitions.assign(members=coalitions["members"].fillna("").astype(str))
    table = table.assign(order=np.arange(len(table)))
    table = table.sort_values(["share", "order"], ascending=[False, True], kind="stable")
    return table.head(TOP).drop(columns="order")


def split(top: pd.DataFrame, runs: pd.DataFrame | None) -> pd.DataFrame:
    """Share of all runs ending with each coalition of `top` and each outcome.

    One column per outcome of OUTCOMES (plus 'other' for an unknown outcome);
    without a usable runs table every share goes to an 'all' column.
    """
    members = top["members"].tolist()
    if runs is None or runs.empty or not {"coalition", "outcome"} <= set(runs.columns):
        return pd.DataFrame({"all": top["share"].astype(float).to_numpy()}, index=members)
    coalition = runs["coalition"].fillna("").astype(str)
    outcome = runs["outcome"].astype(str)
    known = [o for o, *_ in OUTCOMES]
    outcome = outcome.where(outcome.isin(known), "other")
    counts = pd.crosstab(coalition, outcome) / len(runs)
    columns = known + (["other"] if "other" in counts.columns else [])
    return counts.reindex(index=members, columns=columns, fill_value=0.0).fillna(0.0)


def _caption(top: pd.DataFrame, total: int, meta: Mapping) -> str:
    runs = meta.get("runs")
    of_runs = f"{runs:,} runs" if runs else "runs"
    if top.empty:
        return f"No coalition was recorded across {of_runs}."
    first = top.iloc[0]
    who = _spoken(first["members"])
    shown = f"the {len(top)} most frequent of {total}" if total > len(top) else f"all {total}"
    share = (
        f"{share_ci(first['share'], runs)} of runs" if runs else f"{pct(first['share'])} of runs"
    )
    ends = " (in brackets and whiskers: 95% interval)" if runs else ""
    return (
        f"Share of {of_runs} ending with each set of committed states ({shown} shown); "
        f"the most frequent outcome, {who}, occurred in {share}{ends}."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw horizontal bars of coalition share."""
    coalitions = tables["coalitions"]
    top = _top(coalitions)
    labels = [_label(m) for m in top["members"]]
    lines = sum(label.count("\n") + 1 for label in labels)
    with style.chart_style():
        fig, ax = style.new_figure(8.6, min(12.5, max(3.6, 2.2 + 0.24 * lines + 0.12 * len(top))))
        runs = meta.get("runs")
        shown = f"top {len(top)} of {len(coalitions)} coalitions" if len(coalitions) > TOP else ""
        whiskers = "whiskers: 95% interval" if runs and not top.empty else ""
        of_runs = f"{runs:,} runs" if runs else ""
        style.titles(fig, ax, TITLE, style.subtitle(meta, of_runs, shown, whiskers), pinned=True)
        if top.empty:
            style.empty_note(ax, "No coalition in the table.")
            ax.set_yticks([])
        else:
            y = np.arange(len(top))[::-1]
            shares = top["share"].astype(float).to_numpy()
            parts = split(top, tables.get("runs"))
            left = np.zeros(len(top))
            looks = {o: (label, colour) for o, label, colour in OUTCOMES}
            looks |= {"other": ("other outcome", "#999999"), "all": ("all runs", BAR)}
            handles = []
            for column in parts.columns:
                values = parts[column].to_numpy(float)
                if not values.any():
                    continue
                label, colour = looks[column]
                ax.barh(y, values, left=left, height=0.7, color=colour, edgecolor="white",
                        linewidth=0.5)  # fmt: skip
                left += values
                handles.append(Patch(facecolor=colour, label=label))
            ends = style.share_whiskers(ax, shares, y, runs)
            rows = parts.itertuples(index=False)
            for yi, share, end, row in zip(y, shares, ends[:, 1], rows, strict=True):
                text = pct(share)
                nonzero = [(c, v) for c, v in zip(parts.columns, row, strict=True) if v > 0]
                if len(nonzero) > 1:
                    text += " (" + ", ".join(f"{looks[c][0]} {pct(v)}" for c, v in nonzero) + ")"
                elif nonzero and nonzero[0][0] != "all":
                    text += f", all {looks[nonzero[0][0]][0]}"
                ax.annotate(text, xy=(max(end, left[len(top) - 1 - yi]), yi), xytext=(3, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=8,
                            color=style.INK, annotation_clip=False)  # fmt: skip
            ax.set_yticks(y, labels, fontsize=8.5)
            ax.set_ylim(-0.6, len(top) - 0.4)
            top_x = style.nice_share_top(float(max(ends[:, 1].max(), left.max())))
            ax.set_xlim(0, top_x)
            style.share_axis(ax, top_x)
            if handles and "all" not in parts.columns:
                fig.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                           title="How the runs with this coalition ended",
                           title_fontsize=8.5)  # fmt: skip
        ax.set_xlabel("Share of runs")
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_ylabel("Counted contributors")
        ax.tick_params(axis="y", length=0)
        files = style.save(fig, out_dir, NAME)
    return {"name": NAME, **files, "title": TITLE,
            "caption": _caption(top, len(coalitions), meta)}  # fmt: skip
