"""Stance of every state, week by week, in the representative run.

Rows are ordered by the stance the state ends the run in (committed first),
then by its P(commit) across all runs (the report's order), so the states that
matter come first; the title gives how the run ended. A dashed frame marks a
pledge a veto player vetoed (only where the state had offered or committed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sim.analysis.commits import by_state
from sim.charts import style
from sim.numbers import force

NAME = "stance_timeline"
REQUIRES = ("states", "commits", "runs")
TITLE = "Stance of each state, week by week"
PLEDGED = ("offered", "committed")
"""Stances that carry a pledge, so the only ones a veto can matter to."""
MAX_LETTERED_ROUNDS = 40
"""Above this many rounds, kind codes are written only where a pledge starts or changes."""
MAX_GRID_ROUNDS = 60
"""Above this many rounds, cells are too thin for white separators between rounds."""
VETO_STYLE = {"fill": False, "edgecolor": "black", "linewidth": 1.6, "linestyle": (0, (3, 1.5))}
VETO_HALO = {"fill": False, "edgecolor": "white", "linewidth": 3.2}
"""Solid white under the black dashes, so the outline shows on dark and light cells."""


def framed(run: pd.DataFrame) -> pd.Series:
    """The state-weeks drawn with the vetoed frame: a pledge a veto player vetoed."""
    return run["vetoed"].astype(bool) & run["stance"].isin(PLEDGED)


def _grid(run: pd.DataFrame, meta: Mapping, p_commit: Mapping[str, float] | None = None):
    """One row per state: final stance (committed first), then P(commit), then when
    it reached its final stance, then name."""
    rank = {s: i for i, s in enumerate(style.STANCES)}
    run = run.assign(rank=run["stance"].map(rank).fillna(0).astype(int))
    p_commit = p_commit or {}
    report = {c: i for i, c in enumerate(style.state_order(p_commit))}
    rows = []
    for code, g in run.sort_values("round").groupby("state", sort=True):
        final = int(g["rank"].iloc[-1])
        # first round of the final unbroken stretch at the final stance
        changed = g["rank"].to_numpy() != final
        since = g["round"].iloc[int(np.flatnonzero(changed)[-1]) + 1] if changed.any() else 0
        rows.append(
            (-final, report.get(code, len(report)), int(since), style.state_label(code, meta), code)
        )
    order = [code for *_, code in sorted(rows)]
    return pd.DataFrame({"state": order})


def p_commit_by_state(commits: pd.DataFrame | None) -> dict[str, float]:
    """P(commit) per state across all runs (all kinds), from the commits table."""
    if commits is None or commits.empty:
        return {}
    return {str(k): float(v) for k, v in by_state(commits).items()}


def run_title(run_id: int, runs: pd.DataFrame | None) -> str:
    """'Representative run 3: formed in week 9, force 8,000' from the runs table."""
    if runs is None or "run" not in runs or not (runs["run"] == run_id).any():
        return f"{TITLE}, run {run_id}"
    row = runs[runs["run"] == run_id].iloc[0]
    week, counted = int(row["rounds"]), force(float(row["force"]))
    ended = {
        "formed": f"formed in week {week}, force {counted}",
        "undersized": f"formed undersized at the deadline (week {week}), force {counted}",
        "stalled": f"stalled in week {week}, counted force {counted}",
    }.get(str(row["outcome"]), f"{row['outcome']} in week {week}, force {counted}")
    return f"Representative run {run_id}: {ended}"


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
        vetoed[i, j] = bool(rec.vetoed) and rec.stance in PLEDGED
        if rec.stance in PLEDGED:
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
    _separators(ax, len(order), len(rounds))
    ax.grid(which="major", visible=False)


SEPARATOR = {"colors": "white", "linewidths": 0.8, "zorder": 2.5}
"""White lines between cells, above the colours and below the codes and frames."""


def _separators(ax, rows: int, cols: int) -> None:
    """White lines between the rows, and between the weeks unless they are too many
    (`MAX_GRID_ROUNDS`): two line collections, not a minor tick per line, whose
    tick objects cost a tenth of the chart's drawing time."""
    if cols <= MAX_GRID_ROUNDS:
        ax.vlines(np.arange(-0.5, cols), -0.5, rows - 0.5, **SEPARATOR)
    ax.hlines(np.arange(-0.5, rows), -0.5, cols - 0.5, **SEPARATOR)


def _round_ticks(ax, rounds: list[int]) -> None:
    """Label week 1 and every 1st/2nd/5th/10th... week, at most ~26 labels."""
    step = next((k for k in (1, 2, 5, 10, 20, 25, 50, 100) if len(rounds) / k <= 26), 200)
    cols = [j for j, r in enumerate(rounds) if r == rounds[0] or r % step == 0]
    ax.set_xticks(cols, [str(rounds[j]) for j in cols])
    ax.set_xlabel("Week of negotiation")


def _write_codes(ax, values, kinds, codes, every_cell: bool) -> None:
    """Kind codes inside offered/committed cells (or where they change, on long runs).

    A code in every cell (at most `MAX_LETTERED_ROUNDS` weeks, cells at least a
    fifth of an inch wide) lies inside its cell, so it is clipped to the grid: the
    same pixels, and the layout, which measures every unclipped text of the axes at
    each of its passes, skips them. On longer runs a code can spill over its
    narrow cell, past the grid's edge, and stays measured."""
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
                    clip_on=every_cell,
                )
            previous = kind


def _legend_handles(meta, kinds: list[str], codes, any_vetoed: bool, deadline) -> list:
    """Stances, then kind codes, then the vetoed outline and the deadline."""
    handles = [
        Patch(facecolor=style.STANCE_COLOURS[s], edgecolor="#999999", linewidth=0.5, label=s)
        for s in style.STANCES
    ]
    for kind in kinds:
        label = f"{codes[kind]} = {style.kind_note_label(kind, meta, money=False)}"
        handles.append(Patch(fill=False, linewidth=0, label=label))
    if any_vetoed:
        handles.append(Patch(label="pledge vetoed by a veto player (not counted)", **VETO_STYLE))
    if deadline is not None:
        handles.append(Line2D([], [], label=f"Deadline (week {deadline})", **style.DEADLINE))
    return handles


LEGEND_CHARS_PER_INCH = 14.0
"""Characters of legend text (8.5 pt) that fit in an inch of figure width."""


def _legend_columns(handles: list, width: float) -> int:
    """As many legend columns as fit across the figure (the legend sits below the grid)."""
    longest = max((len(h.get_label()) for h in handles), default=1)
    fit = int(width * LEGEND_CHARS_PER_INCH) // (longest + 6)
    return max(1, min(len(handles), fit))


def _legend(fig, handles: list, n_kinds: int) -> None:
    """Stance colours (and veto frame, deadline) in a row below the grid; the kind
    codes written out in the legend's title above them."""
    codes = [h.get_label() for h in handles[len(style.STANCES) : len(style.STANCES) + n_kinds]]
    marks = handles[: len(style.STANCES)] + handles[len(style.STANCES) + n_kinds :]
    width = int(fig.get_figwidth() * LEGEND_CHARS_PER_INCH)
    title = "Colour: stance"
    if codes:
        title += ".  Letters: the kind pledged, " + "; ".join(codes)
    fig.legend(
        handles=marks,
        loc="outside lower center",
        ncol=_legend_columns(marks, fig.get_figwidth()),
        title=style.wrap(title, width),
        title_fontsize=8.5,
        alignment="left",
        handlelength=1.6,
        columnspacing=1.4,
    )


def _size(labels: list[str], rounds: list[int], handles: list) -> tuple[float, float]:
    """Figure inches: the grid grows with weeks and states, plus the legend rows below."""
    label_width = 0.3 + 0.075 * max((len(label) for label in labels), default=0)
    width = min(18.0, max(8.0, label_width + 0.5 + 0.24 * len(rounds)))
    chars = sum(len(h.get_label()) + 2 for h in handles)
    legend_rows = 2 + chars // int(width * LEGEND_CHARS_PER_INCH)
    height = 2.4 + 0.27 * len(labels) + 0.2 * legend_rows
    return width, min(16.0, max(3.6, height))


def _caption(run_id: int, run: pd.DataFrame, order: list[str], last: int | None) -> str:
    if last is None:
        return f"Run {run_id} has no recorded stances, so no timeline is shown."
    final = run[run["round"] == last]
    committed = int((final["stance"] == "committed").sum())
    vetoed = int(run.loc[framed(run), "state"].nunique())
    had = "had its pledge" if vetoed == 1 else "had their pledges"
    veto_note = f", and {vetoed} {had} vetoed in at least one week" if vetoed else ""
    return (
        f"Stance of each of the {len(order)} states in every week of run {run_id}: "
        f"{committed} of {len(order)} {'was' if committed == 1 else 'were'} committed "
        f"by its last week ({last}){veto_note}."
    )


def draw(tables: Mapping[str, pd.DataFrame], meta: Mapping, out_dir: Path) -> dict:
    """Draw the stance grid for meta['representative_run']."""
    run_id = int(meta.get("representative_run", 0))
    states = tables["states"]
    run = states[states["run"] == run_id].copy()
    run["kind"] = run["kind"].fillna("").astype(str)
    run["vetoed"] = run["vetoed"].fillna(False).astype(bool)
    order = _grid(run, meta, p_commit_by_state(tables.get("commits")))["state"].tolist()
    rounds = sorted(int(r) for r in run["round"].unique())
    kinds = [k for k in style.ordered_kinds(meta, run["kind"].unique()) if k in set(run["kind"])]
    codes = style.kind_codes(style.ordered_kinds(meta, run["kind"].unique()), meta)

    deadline = meta.get("deadline")
    deadline = deadline if deadline in rounds[:-1] else None
    with style.chart_style():
        any_vetoed = bool(framed(run).any())
        handles = _legend_handles(meta, kinds, codes, any_vetoed, deadline)
        labels = [style.state_label(s, meta) for s in order]
        fig, ax = style.new_figure(*_size(labels, rounds, handles))
        title = run_title(run_id, tables.get("runs"))
        rows = "rows: final stance, then P(commit) across all runs"
        detail = style.subtitle(meta, "a detail run with the most common outcome", rows)
        style.titles(fig, ax, title, detail, pinned=True)
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
            _legend(fig, handles, len(kinds))
        files = style.save(fig, out_dir, NAME)
    last = rounds[-1] if rounds else None
    return {
        "name": NAME,
        **files,
        "title": title,
        "caption": _caption(run_id, run, order, last),
    }
