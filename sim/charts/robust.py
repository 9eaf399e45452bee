"""The robust-mandates chart: each candidate's P(formed) across the sampled worlds.

`draw(table, worlds, meta, out_dir)` reads robust.csv (`table`: one row per
candidate, best first, with `label`, `mean`, `mean_lo`, `mean_hi`,
`worst_decile`, `regret`) and worlds.csv (`worlds`: `candidate`, `p_formed`),
and writes `robust.png` and `robust.svg`. One row per candidate, in rank order
from the top: a dot per world, a box over the middle half of the worlds with
whiskers to the lowest and highest world (no world is hidden as an outlier),
the mean with its 95% interval, and the worst-decile mean. The three criteria
are written at the right of each row, the one that ranks them in bold.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.charts import style
from sim.numbers import pct, pct_range

DOT = "#0072B2"
BOX = "#c6dbef"
WORST = "#D55E00"
LABEL_CHARS = 34
ROW_IN = 0.62
JITTER = 0.16
BOX_HEIGHT = 0.5
WORST_ABOVE = 0.36
CRITERIA_NAMES = {"mean": "mean", "worst_decile": "worst decile", "regret": "regret"}


def points(d: float) -> str:
    """A regret in percentage points: '12 pts', '0 pts'."""
    whole = round(d * 100)
    if whole == 0 and d > 0:
        return "<1 pt"
    return f"{whole} pt" + ("" if whole == 1 else "s")


def row_label(rank: int, label: str) -> str:
    """'1. weapons decommissioning: no' with each lever on its own line."""
    parts = [textwrap.fill(p, LABEL_CHARS) for p in str(label).split("; ")]
    return f"{rank}. " + "\n".join(parts)


def score_text(row: Mapping) -> list[str]:
    """The three criteria of one candidate, in the order the right column lists them."""
    return [
        f"mean {pct(row['mean'])} ({pct_range(row['mean_lo'], row['mean_hi'])})",
        f"worst decile {pct(row['worst_decile'])}",
        f"regret {points(row['regret'])}",
    ]


def _strip(ax, values: np.ndarray, y: float, rng: np.random.Generator) -> None:
    """One dot per world, spread vertically so equal values stay visible."""
    jitter = rng.uniform(-JITTER, JITTER, len(values))
    ax.scatter(values, y + jitter, s=11, color=DOT, alpha=0.45, linewidths=0, zorder=3)


def _box(ax, values: np.ndarray, y: float) -> None:
    """Box over the middle half of the worlds, median line, whiskers to the extremes.

    Drawn by hand rather than with `boxplot`, whose orientation argument changed
    between matplotlib versions; no world is set apart as an outlier.
    """
    lo, q1, med, q3, hi = np.percentile(values, [0, 25, 50, 75, 100])
    half = BOX_HEIGHT / 2
    ax.add_patch(
        Rectangle(
            (q1, y - half), q3 - q1, BOX_HEIGHT, facecolor=BOX, edgecolor=style.MUTED, zorder=2
        )
    )
    ax.plot([med, med], [y - half, y + half], color=style.MUTED, lw=1.2, zorder=2)
    ax.plot([lo, q1], [y, y], [q3, hi], [y, y], color=style.MUTED, lw=1, zorder=1)
    ax.plot(
        [lo, lo],
        [y - half / 2, y + half / 2],
        [hi, hi],
        [y - half / 2, y + half / 2],
        color=style.MUTED,
        lw=1,
        zorder=1,
    )


def _row(ax, row: Mapping, values: np.ndarray, y: float, rng: np.random.Generator) -> None:
    """Box, dots, mean with interval, and worst-decile mark of one candidate."""
    _box(ax, values, y)
    _strip(ax, values, y, rng)
    ax.plot([row["mean_lo"], row["mean_hi"]], [y, y], color=style.INK, lw=2.2, zorder=4)
    ax.plot(row["mean"], y, "D", color="white", mec=style.INK, mew=1.4, ms=7, zorder=5)
    # above the box, pointing at its value, so it never covers the mean
    ax.plot(row["worst_decile"], y - WORST_ABOVE, "v", color=WORST, ms=8, zorder=5)


def _legend(fig) -> None:
    handles = [
        Line2D([], [], ls="", marker="o", color=DOT, alpha=0.6, label="P(formed) in one world"),
        Patch(facecolor=BOX, edgecolor=style.MUTED, label="middle half of worlds (whiskers: all)"),
        Line2D(
            [],
            [],
            color=style.INK,
            lw=2.2,
            marker="D",
            mfc="white",
            mec=style.INK,
            label="mean over worlds, 95% interval",
        ),
        Line2D(
            [],
            [],
            ls="",
            marker="v",
            color=WORST,
            ms=9,
            label="worst-decile mean (marked above its row)",
        ),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8.5)


def _scores(ax, table: pd.DataFrame, criterion: str) -> None:
    """The criteria at the right of each row, the ranking one in bold."""
    at = list(CRITERIA_NAMES).index(criterion)
    for y, row in enumerate(table.to_dict("records")):
        for i, text in enumerate(score_text(row)):
            ax.annotate(
                text,
                xy=(1.0, y),
                xycoords=("axes fraction", "data"),
                xytext=(10, 11 - 11 * i),
                textcoords="offset points",
                va="center",
                fontsize=8.5,
                color=style.INK if i == at else style.MUTED,
                weight="bold" if i == at else "normal",
            )


def draw(table: pd.DataFrame, worlds: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    """Write robust.png/.svg; return the chart's file names, title and caption."""
    criterion = str(meta["criterion"])
    n = len(table)
    with style.chart_style():
        fig, ax = style.new_figure(10.5, 1.9 + ROW_IN * n * max(1, len(meta["levers"])) ** 0.5)
        rng = np.random.default_rng(0)  # the jitter only; fixed so the bytes are stable
        for y, row in enumerate(table.to_dict("records")):
            values = worlds.loc[worlds["candidate"] == row["candidate"], "p_formed"].to_numpy()
            _row(ax, row, values, y, rng)
        ax.set_yticks(
            range(n),
            [row_label(r, lab) for r, lab in zip(table["rank"], table["label"], strict=True)],
        )
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(-0.02, 1.02)
        style.share_axis(ax, 1.0)
        ax.set_xlabel(f"P(formed) in a world (share of its {meta['runs_per_world']} runs)")
        ax.grid(axis="x", color="#e5e5e5", zorder=0)
        _scores(ax, table, criterion)
        _legend(fig)
        title = f"Candidate mandates across {meta['worlds']} sampled worlds"
        sub = style.subtitle(
            meta,
            f"ranked by {CRITERIA_NAMES[criterion]}",
            f"{meta['runs_per_world']} runs per world",
            f"{meta['ranges']} judgement ranges",
            f"seed {meta['seed']}",
        )
        style.titles(fig, ax, title, sub)
        files = style.save(fig, out_dir, "robust")
    best = table.iloc[0]
    caption = (
        f"First by {CRITERIA_NAMES[criterion]}: {best['label']} (mean P(formed) {pct(best['mean'])}, worst decile "
        f"{pct(best['worst_decile'])}, regret {points(best['regret'])})."
    )
    return {**files, "title": title, "caption": caption}
