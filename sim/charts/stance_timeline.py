"""Stance of every state, round by round, in the representative run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.charts import style

NAME = "stance_timeline"
REQUIRES = ("states",)
TITLE = "Stance of each state, round by round"
MAX_LETTERED_ROUNDS = 40
"""Above this many rounds, kind codes are written only where a pledge starts or changes."""
MAX_GRID_ROUNDS = 60
"""Above this many rounds, cells are too thin for white separators between rounds."""
VETO_STYLE = {"fill": False, "edgecolor": "black", "linewidth": 1.6, "linestyle": (0, (3, 1.5))}
VETO_HALO = {"fill": False, "edgecolor": "white", "linewidth": 3.2}
"""Solid white under the black dashes, so the outline shows on dark and light cells."""


def _grid(run: pd.DataFrame, meta: Mapping) -> pd.DataFrame:
    """One row per state, ordered by final stance, then when it got there, then name."""
    rank = {s: i for i, s in enumerate(style.STANCES)}
    run = run.assign(rank=run["stance"].map(rank).fillna(0).astype(int))
    rows = []
    for code, g in run.sort_values("round").groupby("state", sort=True):
        final = int(g["rank"].iloc[-1])
        # first round of the final unbroken stretch at the final stance
        changed = g["rank"].to_numpy() != final
        since = g["round"].iloc[int(np.flatnonzero(changed)[-1]) + 1] if changed.any() else 0
        rows.append((-final, int(since), style.state_label(code, meta), code))
    order = [code for *_, code in sorted(rows)]
    return pd.DataFrame({"state": order})


def _vetoed_spans(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each unbroken stretch of True, in column indices."""
    spans, start = [], None
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            spans.append((start, i - start))
            start = None
    return spans


def _matrices(run: pd.DataFrame, order: list[str], rounds: list[int]):
    """Stance rank, vetoed flag and pledged kind for every (state, round) cell."""
    rank = {s: i for i, s in enumerate(style.STANCES)}
    col = {r: j for j, r in enumerate(rounds)}
    row = {s: i for i, s in enumerate(order)}
    values = np.full((len(order), len(rounds)), np.nan)
    vetoed = np.zeros_like(values, dtype=bool)
    kinds = np.full(values.shape, "", dtype=object)
    for rec in run.itertuples(index=False):
        i, j = row[rec.state], col[rec.round]
        values[i, j] = rank.get(rec.stance, 0)
        vetoed[i, j] = bool(rec.vetoed)
        if rec.stance in ("offered", "committed"):
            kinds[i, j] = rec.kind or ""
    return values, vetoed, kinds


def _draw_grid(ax, run: pd.DataFrame, order: list[str], rounds: list[int], codes) -> None:
    """Colour the cells, write kind codes, outline vetoed stretches."""
    values, vetoed, kinds = _matrices(run, order, rounds)
    colours = [style.STANCE_COLOURS[s] for s in style.STANCES]
    cmap = ListedColormap(colours).with_extremes(bad="white")
    norm = BoundaryNorm(np.arange(-0.5, len(style.STANCES)), cmap.N)
    ax.imshow(
        np.ma.masked_invalid(values), cmap=cmap, norm=norm, aspect="auto", interpolation="nearest"
    )
    _write_codes(ax, values, kinds, codes, len(rounds) <= MAX_LETTERED_ROUNDS)
    for i in range(len(order)):
        for start, length in _vetoed_spans(vetoed[i]):
            for zorder, look in ((4, VETO_HALO), (4.1, VETO_STYLE)):
                ax.add_patch(
                    Rectangle(
                        (start - 0.5, i - 0.4), length, 0.8, zorder=zorder, clip_on=False, **look
                    )
                )
    if len(rounds) <= MAX_GRID_ROUNDS:
        ax.set_xticks(np.arange(-0.5, len(rounds)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(order)), minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.grid(which="major", visible=False)
    ax.tick_params(which="minor", length=0)


def _round_ticks(ax, rounds: list[int]) -> None:
    """Label round 1 and every 1st/2nd/5th/10th... round, at most ~26 labels."""
    step = next((k for k in (1, 2, 5, 10, 20, 25, 50, 100) if len(rounds) / k <= 26), 200)
    cols = [j for j, r in enumerate(rounds) if r == rounds[0] or r % step == 0]
    ax.set_xticks(cols, [str(rounds[j]) for j in cols])
    ax.set_xlabel("Round (week of negotiation)")


def _write_codes(ax, values, kinds, codes, every_cell: bool) -> None:
    """Kind codes inside offered/committed cells (or where they change, on long runs)."""
    fontsize = 7.5 if values.shape[1] <= 26 else 6.5
    for i in range(values.shape[0]):
        previous = ""
        for j in range(values.shape[1]):
            kind = kinds[i, j]
            if kind and (every_cell or kind != previous):
                stance = style.STANCES[int(values[i, j])]
                ax.text(
                    j,
                    i,
                    codes.get(kind, "?"),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=style.STANCE_TEXT[stance],
                )
            previous = kind


def _legend_handles(meta, kinds: list[str], codes, any_vetoed: bool, deadline) -> list:
    """Stances, then kind codes, then the vetoed outline and the deadline."""
    handles = [
        Patch(facecolor=style.STANCE_COLOURS[s], edgecolor="#999999", linewidth=0.5, label=s)
        for s in style.STANCES
    ]
    for kind in kinds:
        label = f"{codes[kind]} = {style.kind_label(kind, meta)}"
        if not style.is_counted(kind, meta):
            label += " (not counted toward target)"
        handles.append(Patch(fill=False, linewidth=0, label=label))
    label = "vetoed by a veto player (pledge not counted)"
    handles.append(Patch(label=label if any_vetoed else f"{label}: none in this run", **VETO_STYLE))
    if deadline is not None:
        handles.append(Line2D([], [], label=f"Deadline (round {deadline})", **style.DEADLINE))
    return handles


def _size(labels: list[str], rounds: list[int], handles: list) -> tuple[float, float]:
    """Figure inches: the grid grows with rounds and states, plus room for the legend."""
    label_width = 0.3 + 0.075 * max((len(label) for label in labels), default=0)
    legend_width = 0.6 + 0.065 * max(len(h.get_label()) for h in handles)
    width = label_width + 0.5 + 0.24 * len(rounds) + legend_width
    height = max(2.3 + 0.27 * len(labels), 1.4 + 0.2 * len(handles))
    return min(18.0, max(8.0, width)), min(15.0, max(3.6, height))


def _caption(run_id: int, run: pd.DataFrame, order: list[str], last: int | None) -> str:
    if last is None:
        return f"Run {run_id} has no recorded stances, so no timeline is shown."
    final = run[run["round"] == last]
    committed = int((final["stance"] == "committed").sum())
    vetoed = int(run.loc[run["vetoed"].astype(bool), "state"].nunique())
    were = "was" if vetoed == 1 else "were"
    veto_note = f", and {vetoed} {were} vetoed in at least one round" if vetoed else ""
    return (
        f"Stance of each of the {len(order)} states in every round of run {run_id}: "
        f"{committed} of {len(order)} {'was' if committed == 1 else 'were'} committed "
        f"by its last round ({last}){veto_note}."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the stance grid for meta['representative_run']."""
    run_id = int(meta.get("representative_run", 0))
    states = tables["states"]
    run = states[states["run"] == run_id].copy()
    run["kind"] = run["kind"].fillna("").astype(str)
    run["vetoed"] = run["vetoed"].fillna(False).astype(bool)
    order = _grid(run, meta)["state"].tolist()
    rounds = sorted(int(r) for r in run["round"].unique())
    kinds = [k for k in style.ordered_kinds(meta, run["kind"].unique()) if k in set(run["kind"])]
    codes = style.kind_codes(style.ordered_kinds(meta, run["kind"].unique()), meta)

    deadline = meta.get("deadline")
    deadline = deadline if deadline in rounds[:-1] else None
    with style.chart_style():
        handles = _legend_handles(meta, kinds, codes, bool(run["vetoed"].any()), deadline)
        labels = [style.state_label(s, meta) for s in order]
        fig, ax = style.new_figure(*_size(labels, rounds, handles))
        style.titles(fig, ax, TITLE, style.subtitle(meta, f"run {run_id} (representative)"))
        if not order:
            style.empty_note(ax, f"No state records for run {run_id}.")
            ax.set_axis_off()
        else:
            _draw_grid(ax, run, order, rounds, codes)
            ax.set_yticks(range(len(order)), labels)
            _round_ticks(ax, rounds)
            ax.tick_params(axis="y", length=0)
            for side in ("left", "bottom"):
                ax.spines[side].set_visible(False)
            if deadline is not None:
                style.deadline_line(ax, deadline, x=rounds.index(deadline) + 0.5, zorder=5)
            ax.legend(
                handles=handles,
                loc="upper left",
                bbox_to_anchor=(1.01, 1.0),
                title="Stance · kind code · veto",
                title_fontsize=8.5,
                alignment="left",
                handlelength=1.6,
            )
        png, svg = style.save(fig, out_dir, NAME)
    last = rounds[-1] if rounds else None
    return {
        "name": NAME,
        "png": png,
        "svg": svg,
        "title": TITLE,
        "caption": _caption(run_id, run, order, last),
    }
