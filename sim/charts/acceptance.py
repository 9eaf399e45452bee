"""Each veto player's acceptance of the mandate over rounds, against its threshold."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from sim.charts import style

NAME = "acceptance"
REQUIRES = ("bands",)
TITLE = "Veto players' acceptance of the mandate, by week"
PREFIX = "accept."


def _players(bands: pd.DataFrame, meta: Mapping) -> list[str]:
    """Veto players in scenario order, then any other accept.<ID> series found."""
    found = {s[len(PREFIX) :] for s in bands["series"].astype(str) if s.startswith(PREFIX)}
    listed = [p for p in meta.get("veto_players", {}) if p in found]
    return listed + sorted(found - set(listed))


def _name(player: str, meta: Mapping) -> str:
    return meta.get("veto_players", {}).get(player) or player


def _caption(bands: pd.DataFrame, players: list[str], meta: Mapping) -> str:
    if not players:
        return "No veto player's acceptance was recorded."
    parts = []
    at = None
    for player in players:
        series = bands[bands["series"] == PREFIX + player].sort_values("round")
        row = series.iloc[-1]
        at = int(row["round"])
        threshold = meta.get("veto_thresholds", {}).get(player)
        versus = f" (threshold {threshold:.2f})" if threshold is not None else ""
        parts.append(f"{_name(player, meta)} {row['median']:.2f}{versus}")
    return (
        "Median and 5–95% band of each veto player's acceptance across runs, by week; "
        f"in week {at} the median is " + ", ".join(parts) + "."
    )


def threshold_groups(players: list[str], meta: Mapping) -> list[tuple[float, list[str]]]:
    """Each distinct threshold once, with the veto players it applies to (in order)."""
    groups: dict[float, list[str]] = {}
    for player in players:
        threshold = meta.get("veto_thresholds", {}).get(player)
        if threshold is not None:
            groups.setdefault(round(float(threshold), 9), []).append(player)
    return sorted(groups.items())


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw one median line, band and dashed threshold per veto player."""
    bands = tables["bands"]
    players = _players(bands, meta)
    with style.chart_style():
        fig, ax = style.new_figure(8.6, 4.6)
        runs = meta.get("runs")
        shown = style.subtitle(meta, f"{runs:,} runs" if runs else "")
        style.titles(fig, ax, TITLE, shown, pinned=True)
        if not players:
            style.empty_note(ax, "No veto player in the bands table.")
        colours = {
            p: style.SERIES_PALETTE[i % len(style.SERIES_PALETTE)] for i, p in enumerate(players)
        }
        for player in players:
            colour = colours[player]
            series = bands[bands["series"] == PREFIX + player].sort_values("round")
            x = series["round"].astype(int)
            name = _name(player, meta)
            ax.fill_between(
                x,
                series["p05"],
                series["p95"],
                color=colour,
                alpha=0.18,
                linewidth=0,
                label=f"{name}: 5–95% of runs",
            )
            ax.plot(
                x,
                series["median"],
                color=colour,
                linewidth=2.0,
                clip_on=False,
                zorder=3,
                label=f"{name}: median",
            )
        for threshold, group in threshold_groups(players, meta):
            names = ", ".join(_name(p, meta) for p in group)
            shared = len(group) > 1
            colour = style.INK if shared else colours[group[0]]
            ax.axhline(
                threshold,
                color=colour,
                linewidth=1.3,
                linestyle="--",
                zorder=2,
                label=style.wrap(f"Threshold {threshold:.2f}: {names}", 34),
            )
        deadline = meta.get("deadline")
        if players and deadline and deadline <= bands["round"].max():
            style.deadline_line(ax, deadline)
        ax.set_ylim(-0.02, 1.05)
        style.round_axis(ax)
        ax.set_ylabel("Acceptance (0 = rejects, 1 = fully accepts)")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        if players:
            ax.set_xlim(bands["round"].min() - 0.5, bands["round"].max() + 0.5)
            ax.legend(
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                title="Below its threshold a veto\nplayer rejects the mandate",
                title_fontsize=8.5,
                alignment="left",
            )
        files = style.save(fig, out_dir, NAME)
    return {
        "name": NAME,
        **files,
        "title": TITLE,
        "caption": _caption(bands, players, meta),
    }
