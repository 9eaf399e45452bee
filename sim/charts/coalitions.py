"""The most frequent final coalitions and their share of runs."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.charts import style

NAME = "coalitions"
REQUIRES = ("coalitions",)
TITLE = "Most frequent coalitions at the end of a run"
TOP = 10
NOBODY = "no counted contributor"
BAR = "#2d004b"


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


def _caption(top: pd.DataFrame, total: int, meta: Mapping) -> str:
    runs = meta.get("runs")
    of_runs = f"{runs:,} runs" if runs else "runs"
    if top.empty:
        return f"No coalition was recorded across {of_runs}."
    first = top.iloc[0]
    who = _spoken(first["members"])
    shown = f"the {len(top)} most frequent of {total}" if total > len(top) else f"all {total}"
    return (
        f"Share of {of_runs} ending with each set of committed states ({shown} shown); "
        f"the most frequent outcome, {who}, occurred in {style.fmt_share(first['share'])} "
        f"of runs."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw horizontal bars of coalition share."""
    coalitions = tables["coalitions"]
    top = _top(coalitions)
    labels = [_label(m) for m in top["members"]]
    lines = sum(label.count("\n") + 1 for label in labels)
    with style.chart_style():
        fig, ax = style.new_figure(8.0, min(12.0, max(3.2, 1.7 + 0.24 * lines + 0.12 * len(top))))
        runs = meta.get("runs")
        shown = f"top {len(top)} of {len(coalitions)} coalitions" if len(coalitions) > TOP else ""
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"{runs:,} runs" if runs else "", shown))
        if top.empty:
            style.empty_note(ax, "No coalition in the table.")
            ax.set_yticks([])
        else:
            y = np.arange(len(top))[::-1]
            shares = top["share"].astype(float).to_numpy()
            ax.barh(y, shares, height=0.7, color=BAR)
            for yi, share in zip(y, shares, strict=True):
                ax.text(share, yi, f" {style.fmt_share(share)}", va="center", ha="left",
                        fontsize=8.5, color=style.INK)  # fmt: skip
            ax.set_yticks(y, labels, fontsize=8.5)
            ax.set_ylim(-0.6, len(top) - 0.4)
            ax.set_xlim(0, min(1.0, max(shares.max() * 1.18, 0.05)))
        ax.set_xlabel("Share of runs")
        ax.xaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
        ax.xaxis.grid(True, color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_ylabel("Counted contributors")
        ax.tick_params(axis="y", length=0)
        png, svg = style.save(fig, out_dir, NAME)
    return {"name": NAME, "png": png, "svg": svg, "title": TITLE,
            "caption": _caption(top, len(coalitions), meta)}  # fmt: skip
