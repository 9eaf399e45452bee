"""The mandate trajectory: how often, and how early, each concession was made."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.charts import style
from sim.numbers import share_ci

NAME = "concessions"
REQUIRES = ("runs",)
TITLE = "Concessions made by the broker, by week"
BAND_ALPHA = 0.16
"""Opacity of each line's shaded 95% interval: light enough that crossing bands
leave every line readable."""


def parse(cell: object) -> list[tuple[str, int]]:
    """'allow_caveats@4;drop_decommissioning@9' -> [('allow_caveats', 4), ...]."""
    if not isinstance(cell, str) or not cell.strip():
        return []
    made = []
    for item in cell.split(";"):
        cid, sep, rnd = item.strip().rpartition("@")
        if sep and cid and rnd.strip().lstrip("-").isdigit():
            made.append((cid, int(rnd)))
    return made


def cumulative(runs: pd.DataFrame, last_round: int) -> pd.DataFrame:
    """Rounds × concession ids: share of all runs that had made it by that round."""
    first: dict[str, list[int]] = {}
    for cell in runs["concessions"]:
        seen: dict[str, int] = {}
        for cid, rnd in parse(cell):
            seen[cid] = min(rnd, seen.get(cid, rnd))
        for cid, rnd in seen.items():
            first.setdefault(cid, []).append(rnd)
    rounds = np.arange(1, max(last_round, 1) + 1)
    total = max(len(runs), 1)
    shares = {
        cid: [(np.asarray(rs) <= r).sum() / total for r in rounds] for cid, rs in first.items()
    }
    return pd.DataFrame(shares, index=pd.Index(rounds, name="round"))


def _order(ids: list[str], meta: Mapping) -> list[str]:
    """Scenario menu order first, then any other id found in the runs."""
    menu = list(meta.get("concessions", {}))
    return [c for c in menu if c in ids] + sorted(c for c in ids if c not in menu)


def by_final_height(shares: pd.DataFrame) -> list[str]:
    """Concessions highest at the last week first (ties: earliest made first, then menu
    order), so the legend reads top to bottom in the order of the curves."""
    if shares.empty:
        return list(shares.columns)
    position = {c: i for i, c in enumerate(shares.columns)}
    area = shares.sum()
    return sorted(
        shares.columns,
        key=lambda c: (-round(float(shares[c].iloc[-1]), 9), -float(area[c]), position[c]),
    )


def _label(cid: str, meta: Mapping) -> str:
    return meta.get("concessions", {}).get(cid) or cid.replace("_", " ")


def _caption(shares: pd.DataFrame, meta: Mapping, n_runs: int) -> str:
    runs = f"{n_runs:,} runs"
    if shares.empty or shares.shape[1] == 0:
        return f"The broker made no concession in any of the {runs}."
    final = shares.iloc[-1].sort_values(ascending=False, kind="stable")
    cid = final.index[0]
    return (
        f"Cumulative share of the {runs} in which the broker had made each concession, "
        f"by week; the most frequent, '{_label(cid, meta)}', had been made in "
        f"{share_ci(final.iloc[0], n_runs)} of runs by week {int(shares.index[-1])} "
        f"(in brackets, and shaded: 95% interval)."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw one step line per concession, or a note if none was made."""
    runs = tables["runs"]
    last = int(meta.get("rounds") or (runs["rounds"].max() if len(runs) else 1))
    shares = cumulative(runs, last)
    shares = shares[_order(list(shares.columns), meta)]
    colours = {c: style.SERIES_PALETTE[i % len(style.SERIES_PALETTE)] for i, c in enumerate(shares)}
    shares = shares[by_final_height(shares)]
    never = [c for c in meta.get("concessions", {}) if c not in shares.columns]
    with style.chart_style():
        fig, ax = style.new_figure(8.6, 4.6)
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"{len(runs):,} runs"), pinned=True)
        if shares.shape[1] == 0:
            style.empty_note(ax, f"No run made any concession\n(0 of {len(runs):,} runs).")
        for cid in shares.columns:
            colour = colours[cid]
            weeks = [*shares.index, shares.index[-1] + 0.5]  # the last week drawn to its end
            values = [*shares[cid], shares[cid].iloc[-1]]
            ax.step(
                weeks,
                values,
                where="post",
                color=colour,
                linewidth=2.0,
                label=style.wrap(_label(cid, meta), 32),
            )
            if len(runs):  # each week's share with its 95% interval, as the caption gives it
                ends = style.share_intervals(values, len(runs))
                ax.fill_between(weeks, ends[:, 0], ends[:, 1], step="post", color=colour,
                                alpha=BAND_ALPHA, linewidth=0)  # fmt: skip
        deadline = meta.get("deadline")
        if deadline and deadline <= last:
            style.deadline_line(ax, deadline)
        ax.set_xlim(0.5, max(last, 2) + 0.5)
        ax.set_ylim(-0.02, 1.03)
        style.round_axis(ax)
        ax.set_ylabel("Share of runs with the concession made")
        style.share_axis(ax, 1.0, which="y", ticks=5)
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                title="Concession (highest at the end first)\nshaded: 95% interval",
                title_fontsize=8.5,
                alignment="left",
            )
        if never and shares.shape[1]:
            note = "Not made in any run: " + "; ".join(_label(c, meta) for c in never) + "."
            note = style.wrap(note, int(fig.get_figwidth() * 14))
            fig.text(
                0.01,
                0.01,
                note,
                ha="left",
                va="bottom",
                fontsize=8.5,
                color=style.MUTED,
            )
            # keep the note inside the image, below the axes: reserve its lines
            reserve = (0.17 * (note.count("\n") + 1) + 0.1) / fig.get_figheight()
            fig.get_layout_engine().set(rect=(0, reserve, 1, 1 - reserve))
        files = style.save(fig, out_dir, NAME)
    return {
        "name": NAME,
        **files,
        "title": TITLE,
        "caption": _caption(shares, meta, len(runs)),
    }
