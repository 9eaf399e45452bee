"""The coverage/density trade-off of `forcegen discover` (PRIM's peeling trajectory).

Each peel makes a box denser in the outcome (up) and leaves out more of the
runs where it happens (left); the reader sees what a denser box costs in
coverage, where the chosen box sits, and how far above the base rate it is.

`draw(trajectory, marks, base_rate, info, out_dir)` reads trajectory.csv's
columns (`box`, `shuffle`, `coverage`, `density`), the chosen boxes (`marks`:
`box`, `stage` peeled, kept, or none when no limit is kept, `coverage`, `density`) and `info` (`title`,
`verb`, e.g. "the force stalls", `threshold`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.charts import style
from sim.numbers import pct

LABEL = "discover-label"
"""The gid of the corner labels, so each new one goes below the last."""


def draw(
    trajectory: pd.DataFrame, marks: list[dict], base_rate: float, info: dict, out_dir: Path
) -> tuple[str, str]:
    """Coverage (x) against density (y) along each box's peeling, shuffled outcomes in grey,
    the box peeling chose ringed and the box kept after the qp test as a diamond."""
    what = info["verb"]
    with style.chart_style():
        fig, ax = style.new_figure(7.5, 5.4)
        _shuffled(ax, trajectory[trajectory["shuffle"] > 0])
        actual = trajectory[trajectory["shuffle"] == 0]
        for i, (number, steps) in enumerate(actual.groupby("box", sort=True)):
            colour = style.SERIES_PALETTE[i % len(style.SERIES_PALETTE)]
            _one_box(ax, int(number), steps, [m for m in marks if m["box"] == number], colour)
        ax.axhline(
            base_rate,
            color=style.MUTED,
            linestyle="--",
            linewidth=1.1,
            label=f"All runs (base rate {pct(base_rate)})",
        )
        ax.axhline(
            info["threshold"],
            color=style.TARGET_COLOUR,
            linestyle=":",
            linewidth=1.3,
            label=f"Threshold ({pct(info['threshold'])})",
        )
        _axes(ax, what)
        style.titles(
            fig,
            ax,
            f"When {what}: coverage against density",
            style.subtitle(
                {"title": info["title"]}, "PRIM peeling trajectory", "each point is a box"
            ),
        )
        return style.save(fig, out_dir, "tradeoff")


def _axes(ax, what: str) -> None:
    ax.set_xlim(1.02, -0.02)  # peeling runs from right to left
    ax.set_ylim(0, 1.04)
    style.share_axis(ax, 1.0, "x")
    style.share_axis(ax, 1.0, "y")
    ax.set_xlabel(f"Coverage: share of all runs where {what} that are in the box")
    ax.set_ylabel(f"Density: share of the box's runs where {what}")
    ax.grid(color="#dddddd", linewidth=0.6)
    ax.legend(loc="lower left")


def _shuffled(ax, shuffled: pd.DataFrame) -> None:
    """Peeling on shuffled outcomes: the density chance reaches at each coverage."""
    for i, (_, steps) in enumerate(shuffled.groupby(["box", "shuffle"], sort=True)):
        label = "Same peeling, outcome shuffled across runs (chance)" if i == 0 else None
        ax.plot(steps["coverage"], steps["density"], color="#bbbbbb", linewidth=1.0, label=label)


def _one_box(ax, number: int, steps: pd.DataFrame, marks: list[dict], colour: str) -> None:
    ax.plot(
        steps["coverage"],
        steps["density"],
        "-o",
        color=colour,
        markersize=3,
        linewidth=1.3,
        label=f"Box {number}: boxes along the peeling",
    )
    for m in marks:
        c, d = m["coverage"], m["density"]
        if m["stage"] == "none":
            ax.text(
                0.98,
                0.03 + 0.06 * (number - 1),
                f"Box {number}: no limit passes the qp test (no box kept)",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=8.5,
                color=colour,
            )
            continue
        if m["stage"] == "peeled":
            ax.plot(
                [c],
                [d],
                "o",
                markersize=12,
                markerfacecolor="none",
                markeredgecolor=colour,
                markeredgewidth=2,
            )
            text = f"Box {number} as peeling chose it: density {pct(d)}, coverage {pct(c)}"
        else:
            ax.plot([c], [d], "D", markersize=8, color=colour, markeredgecolor="white")
            text = f"Box {number} after the qp test: density {pct(d)}, coverage {pct(c)}"
        _label(ax, text, (c, d), colour)


def _label(ax, text: str, xy: tuple[float, float], colour: str) -> None:
    """A label in the top left corner, where high coverage at high density leaves room,
    stacked below the labels already there, with a thin line from its end to its point."""
    row = sum(1 for t in ax.texts if t.get_gid() == LABEL)
    note = ax.annotate(
        text,
        xy=xy,
        xytext=(0.03, 0.97 - 0.065 * row),
        textcoords="axes fraction",
        fontsize=8.5,
        color=style.INK,
        ha="left",
        va="top",
        arrowprops={
            "arrowstyle": "-",
            "color": colour,
            "linewidth": 0.7,
            "shrinkB": 6,
            "relpos": (1.0, 0.5),
        },
    )
    note.set_gid(LABEL)
