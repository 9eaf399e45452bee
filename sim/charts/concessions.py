"""The mandate trajectory: how often, and how early, each concession was made."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sim.charts import style

NAME = "concessions"
REQUIRES = ("runs",)
TITLE = "Concessions made by the broker, by round"


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
        f"by round; the most frequent, '{_label(cid, meta)}', had been made in "
        f"{style.fmt_share(final.iloc[0])} of runs by round {int(shares.index[-1])}."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw one step line per concession, or a note if none was made."""
    runs = tables["runs"]
    last = int(meta.get("rounds") or (runs["rounds"].max() if len(runs) else 1))
    shares = cumulative(runs, last)
    shares = shares[_order(list(shares.columns), meta)]
    never = [c for c in meta.get("concessions", {}) if c not in shares.columns]
    with style.chart_style():
        fig, ax = style.new_figure(8.6, 4.6)
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"{len(runs):,} runs"))
        if shares.shape[1] == 0:
            style.empty_note(ax, f"No run made any concession\n(0 of {len(runs):,} runs).")
        for i, cid in enumerate(shares.columns):
            colour = style.SERIES_PALETTE[i % len(style.SERIES_PALETTE)]
            ax.step(
                shares.index,
                shares[cid],
                where="post",
                color=colour,
                linewidth=2.0,
                label=style.wrap(_label(cid, meta), 32),
            )
        deadline = meta.get("deadline")
        if deadline and deadline <= last:
            style.deadline_line(ax, deadline)
        ax.set_xlim(1, max(last, 2))
        ax.set_ylim(0, 1.02)
        style.round_axis(ax)
        ax.set_ylabel("Share of runs with the concession made")
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{100 * v:.0f}%")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        if never and shares.shape[1]:
            note = "Not made in any run: " + "; ".join(_label(c, meta) for c in never)
            ax.plot([], [], linestyle="none", label=style.wrap(note, 32))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                title="Concession",
                title_fontsize=8.5,
                alignment="left",
            )
        png, svg = style.save(fig, out_dir, NAME)
    return {
        "name": NAME,
        "png": png,
        "svg": svg,
        "title": TITLE,
        "caption": _caption(shares, meta, len(runs)),
    }
