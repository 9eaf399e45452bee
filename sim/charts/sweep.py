"""Sweep charts, drawn from the sweep table (one row per point).

- one axis: line charts (P(formed) with its 95% interval, expected force), and
  P(commit) per state as small multiples of lines;
- two axes on a grid: heatmaps (P(formed), expected force), and P(commit) per
  state as small multiples of heatmaps;
- otherwise (a Latin hypercube, or more than two axes): P(formed) and expected
  force against each axis, one scatter panel per axis.

`meta` carries what the table does not: titles, state names, kind labels, the
target, and the axes (path, label, values in order, numeric or not).

Colour scales follow one policy, written on every colourbar: each runs over its
full natural range, 0–100% for a share of runs and 0 to the target (the largest
target when the target is swept) for a force, so a pale cell is low in absolute
terms, never just the lowest of the sweep. P(formed) carries its 95% interval:
printed in each cell, and a cell whose interval overlaps those of all its
neighbours (not told apart from any of them) is hatched.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from sim.charts import style
from sim.numbers import force, pct, pct_range

P_CMAP = "Purples"
FORCE_CMAP = "Blues"
FORMED_COLOUR = "#0072B2"
FORCE_COLOUR = "#D55E00"
SHOW_MIN = 0.02
"""A state is drawn if its P(commit) reaches this share at some point."""
HEADER_IN = 0.72
LINE_COLOUR = "#2d004b"


def value_label(v: Any, width: int = 12) -> str:
    """A tick label for an axis value."""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        return style.fmt_amount(float(v))
    text = str(v).replace("_", " ")
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


def header_figure(width: float, height: float, title: str, subtitle: str):
    """A figure with a title band on top (title, then one or more grey lines) and a
    body subfigure below it for the panels."""
    lines = subtitle.count("\n") + 1
    head_in = HEADER_IN + 0.17 * (lines - 1)
    fig = plt.figure(
        figsize=(width, height + head_in - HEADER_IN),
        layout="constrained",
        FigureClass=style.ChartFigure,
    )
    head, body = fig.subfigures(2, 1, height_ratios=[head_in, height - HEADER_IN])
    size = plt.rcParams["figure.titlesize"]
    head.text(0.01, 1 - 0.12 / head_in, title, ha="left", va="top", fontsize=size, weight="bold")
    head.text(
        0.01,
        1 - 0.44 / head_in,
        subtitle,
        ha="left",
        va="top",
        fontsize=9,
        color=style.MUTED,
        linespacing=1.5,
    )
    fig.get_layout_engine().set(w_pad=0.06, h_pad=0.06, wspace=0.04, hspace=0.06)
    return fig, body


def _grid_shape(n: int) -> tuple[int, int]:
    """Columns and rows for n small multiples: at most 4 across, rows as even as can be."""
    ncols = max(1, min(4, math.ceil(math.sqrt(n))))
    return ncols, max(1, -(-n // ncols))


def _labels_below(axes: np.ndarray, n: int) -> None:
    """With shared x, show tick labels on the lowest drawn panel of each column."""
    nrows, ncols = axes.shape
    for c in range(ncols):
        drawn = [r for r in range(nrows) if r * ncols + c < n]
        if drawn:
            axes[drawn[-1], c].xaxis.set_tick_params(labelbottom=True)


def _shown_states(table: pd.DataFrame, meta: Mapping) -> tuple[list[str], list[str]]:
    """States to draw (ever at or above SHOW_MIN), most likely first; and the names of
    the rest."""
    codes = list(meta.get("states", {}))
    peak = {c: float(table[f"p_commit.{c}"].max()) for c in codes if f"p_commit.{c}" in table}
    shown = sorted((c for c in peak if peak[c] >= SHOW_MIN), key=lambda c: (-peak[c], c))
    return shown, [meta["states"].get(c) or c for c in codes if c not in shown]


def _omitted_note(omitted: Sequence[str]) -> str:
    """Every state left out, by code (the subtitle wraps it; nothing is cut)."""
    if not omitted:
        return ""
    return f"never above {pct(SHOW_MIN)} anywhere (not drawn): {', '.join(omitted)}"


def _wrapped(text: str, width_in: float) -> str:
    """Wrap each line of a subtitle to the figure's width (9-point text)."""
    chars = max(40, int(width_in * 14))
    return "\n".join(style.wrap(line, chars) for line in text.split("\n"))


def _positions(table: pd.DataFrame, axis: Mapping) -> tuple[np.ndarray, list[float], list[str]]:
    """x of each row, tick positions and tick labels, for an axis."""
    values = list(axis["values"])
    if axis["numeric"]:
        x = table[axis["path"]].astype(float).to_numpy()
        return x, [float(v) for v in values], [value_label(v) for v in values]
    index = {repr(v): i for i, v in enumerate(values)}
    x = np.array([index[repr(_py(v))] for v in table[axis["path"]]], float)
    return x, list(range(len(values))), [value_label(v) for v in values]


def _py(v: Any) -> Any:
    """numpy scalars as Python values (so repr matches the axis values)."""
    return v.item() if hasattr(v, "item") else v


def _ticks(ax, axis: Mapping, ticks: list[float], labels: list[str], which: str = "x") -> None:
    setter = ax.set_xticks if which == "x" else ax.set_yticks
    if axis["numeric"] and len(ticks) > 9:
        step = -(-len(ticks) // 8)
        ticks, labels = ticks[::step], labels[::step]
    setter(ticks, labels)


def _caption_best(table: pd.DataFrame, meta: Mapping) -> str:
    best = table.sort_values(["p_formed", "expected_force"], ascending=False).iloc[0]
    where = ", ".join(
        f"{a['label'].lower()} {value_label(_py(best[a['path']]), 40)}" for a in meta["axes"]
    )
    return (
        f"P(formed) is highest, {pct(best['p_formed'])}, at {where} "
        f"(expected counted force {force(best['expected_force'])})."
    )


def _subtitle(meta: Mapping, *parts: str) -> str:
    runs, points = meta.get("runs"), meta.get("n_points")
    return style.subtitle(
        {"title": meta.get("base_title") or ""},
        f"{points:,} points" if points else "",
        f"{runs:,} runs per point" if runs else "",
        *parts,
    )


# ----------------------------------------------------------------------- one axis


def _line_outcome(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    axis = meta["axes"][0]
    title = f"P(formed) and expected force: {meta.get('title') or axis['label']}"
    data = table.copy()
    x, ticks, labels = _positions(data, axis)
    order = np.argsort(x, kind="stable")
    x = x[order]
    data = data.iloc[order]
    with style.chart_style():
        fig, body = header_figure(9.6, 4.4, title, _subtitle(meta))
        ax1, ax2 = body.subplots(1, 2)
        ax1.fill_between(
            x,
            data["p_formed_lo"],
            data["p_formed_hi"],
            color=FORMED_COLOUR,
            alpha=0.18,
            linewidth=0,
            label="95% interval (Wilson)",
        )
        ax1.plot(x, data["p_formed"], marker="o", color=FORMED_COLOUR, label="P(formed)")
        ax1.set_ylim(-0.02, 1.02)
        style.share_axis(ax1, 1.0, which="y", ticks=5)
        ax1.set_title("P(formed): target met, veto players accept", fontsize=10)
        ax1.set_ylabel("share of runs that formed")
        ax1.legend(loc="best")
        ax2.fill_between(
            x,
            data["force_p05"],
            data["force_p95"],
            color=FORCE_COLOUR,
            alpha=0.15,
            linewidth=0,
            label="5–95% of runs",
        )
        ax2.plot(x, data["expected_force"], marker="o", color=FORCE_COLOUR, label="Expected (mean)")
        target = meta.get("target")
        style.target_lines(ax2, target, width=1.3)
        ax2.set_ylim(bottom=0)
        ax2.set_title("Counted force at the end of the run", fontsize=10)
        ax2.set_ylabel("personnel")
        ax2.yaxis.set_major_formatter(lambda v, _: force(v))
        ax2.legend(loc="best")
        for ax in (ax1, ax2):
            _ticks(ax, axis, ticks, labels)
            ax.set_xlabel(axis["label"])
            ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
            ax.set_axisbelow(True)
        files = style.save(fig, out_dir, "sweep_outcome")
    return _chart("sweep_outcome", files, title, _caption_best(table, meta))


def _line_commit(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    axis = meta["axes"][0]
    shown, omitted = _shown_states(table, meta)
    title = f"P(commit) per state: {meta.get('title') or axis['label']}"
    x, ticks, labels = _positions(table, axis)
    order = np.argsort(x, kind="stable")
    ncols, nrows = _grid_shape(len(shown))
    with style.chart_style():
        width = 2.6 * ncols + 0.8
        fig, body = header_figure(
            width,
            2.1 * nrows + 1.5,
            title,
            _wrapped(
                _subtitle(meta) + ("\nStates " + _omitted_note(omitted) if omitted else ""), width
            ),
        )
        axes = body.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        for i, ax in enumerate(axes.flat):
            if i >= len(shown):
                ax.set_visible(False)
                continue
            code = shown[i]
            y = table[f"p_commit.{code}"].to_numpy()[order]
            ax.axhline(0.5, color=style.MUTED, linestyle="--", linewidth=0.9)
            ax.plot(x[order], y, marker="o", markersize=3.5, color=LINE_COLOUR)
            ax.set_title(style.state_label(code, meta), fontsize=9)
            ax.set_ylim(-0.03, 1.03)
            style.share_axis(ax, 1.0, which="y", ticks=5)
            ax.grid(axis="y", color="#eeeeee", linewidth=0.7)
            _ticks(ax, axis, ticks, labels)
            ax.tick_params(axis="x", labelrotation=0 if axis["numeric"] else 30)
        _labels_below(axes, len(shown))
        if not shown:
            axes[0, 0].set_visible(True)
            style.empty_note(axes[0, 0], "No state reaches P(commit) 2% at any point.")
        body.supxlabel(axis["label"], fontsize=9.5)
        body.supylabel("P(commit) (dashed: 50%)", fontsize=9.5)
        files = style.save(fig, out_dir, "sweep_commit")
    return _chart("sweep_commit", files, title, _commit_caption(table, meta, shown))


def _commit_caption(table: pd.DataFrame, meta: Mapping, shown: list[str]) -> str:
    if not shown:
        return "No state reaches a P(commit) of 2% at any point of the sweep."
    swing = {c: table[f"p_commit.{c}"].max() - table[f"p_commit.{c}"].min() for c in shown}
    top = max(swing, key=lambda c: (swing[c], c))
    lo = table[f"p_commit.{top}"].min()
    hi = table[f"p_commit.{top}"].max()
    return (
        f"{len(shown)} states reach a P(commit) of at least 2% somewhere; "
        f"{style.state_label(top, meta)} moves most, between {pct(lo)} and {pct(hi)}."
    )


# ----------------------------------------------------------------------- two axes


def _matrix(table: pd.DataFrame, meta: Mapping, column: str) -> np.ndarray:
    """Rows: values of the first axis; columns: values of the second."""
    a0, a1 = meta["axes"]
    i0 = {repr(v): i for i, v in enumerate(a0["values"])}
    i1 = {repr(v): i for i, v in enumerate(a1["values"])}
    out = np.full((len(a0["values"]), len(a1["values"])), np.nan)
    for v0, v1, value in zip(table[a0["path"]], table[a1["path"]], table[column], strict=True):
        out[i0[repr(_py(v0))], i1[repr(_py(v1))]] = value
    return out


def unresolved(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Cells whose interval [lo, hi] overlaps the interval of every neighbouring cell
    (above, below, left, right): the sweep does not tell them apart from any neighbour."""
    out = np.zeros(lo.shape, dtype=bool)
    for (r, c), low in np.ndenumerate(lo):
        if np.isnan(low):
            continue
        near = [
            (r + dr, c + dc)
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
            if 0 <= r + dr < lo.shape[0]
            and 0 <= c + dc < lo.shape[1]
            and not np.isnan(lo[r + dr, c + dc])
        ]
        out[r, c] = bool(near) and all(lo[n] <= hi[r, c] and low <= hi[n] for n in near)
    return out


def _hatch(ax, mask: np.ndarray) -> None:
    for (r, c), flag in np.ndenumerate(mask):
        if flag:
            ax.add_patch(
                Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, hatch="///",
                          edgecolor="#9a9a9a", linewidth=0, zorder=2)
            )  # fmt: skip


def _heat(
    ax,
    m: np.ndarray,
    meta: Mapping,
    cmap: str,
    norm: Normalize,
    fmt,
    fontsize=8.5,
    outline=None,
    sub: np.ndarray | None = None,
):
    """A heatmap of m (rows: first axis, bottom up); cells >= `outline` get a dark frame;
    `sub` (strings) is printed under each value in smaller type."""
    a0, a1 = meta["axes"]
    im = ax.imshow(m, cmap=cmap, norm=norm, aspect="auto", origin="lower")
    if outline is not None:
        for (r, c), v in np.ndenumerate(m):
            if v >= outline:
                style.outline_cell(ax, r, c, zorder=3)
    if m.size <= 120:
        for (r, c), v in np.ndenumerate(m):
            if np.isnan(v):
                continue
            dark = norm(v) > 0.55
            colour = "white" if dark else style.INK
            ax.text(c, r, fmt(v), ha="center", va="center" if sub is None else "bottom",
                    fontsize=fontsize, color=colour, zorder=3)  # fmt: skip
            if sub is not None:
                ax.text(c, r, sub[r, c], ha="center", va="top", fontsize=fontsize - 1.5,
                        color=colour, zorder=3)  # fmt: skip
    ax.set_xticks(range(len(a1["values"])), [value_label(v, 10) for v in a1["values"]])
    ax.set_yticks(range(len(a0["values"])), [value_label(v, 14) for v in a0["values"]])
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return im


def _rotate(ax, axis: Mapping) -> None:
    lines = [ln for v in axis["values"] for ln in value_label(v, 10).split("\n")]
    longest = max((len(ln) for ln in lines), default=0)
    if len(axis["values"]) * longest > 40:
        ax.tick_params(axis="x", labelrotation=35)
        for t in ax.get_xticklabels():
            t.set_horizontalalignment("right")


def force_scale(table: pd.DataFrame, meta: Mapping) -> tuple[float, str]:
    """Top of the force colour scale and how it was chosen: the target (the largest
    target when the target is swept); the data's maximum only if it goes beyond."""
    targets = [float(meta["target"])] if meta.get("target") else []
    if "broker.target" in table:
        targets.append(float(table["broker.target"].astype(float).max()))
    data = float(np.nanmax(table["expected_force"])) if len(table) else 0.0
    if targets and max(targets) >= data:
        swept = "broker.target" in table
        return max(targets), "the largest target" if swept else "the target"
    return (data if data > 0 else 1.0), "the largest value"


def _heat_outcome(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    a0, a1 = meta["axes"]
    title = f"P(formed) and expected force: {meta.get('title') or a0['label']}"
    formed = _matrix(table, meta, "p_formed")
    lo = _matrix(table, meta, "p_formed_lo")
    hi = _matrix(table, meta, "p_formed_hi")
    force_m = _matrix(table, meta, "expected_force")
    ranges = np.full(formed.shape, "", dtype=object)
    for (r, c), low in np.ndenumerate(lo):
        if not np.isnan(low):
            ranges[r, c] = pct_range(low, hi[r, c])
    hatched = unresolved(lo, hi)
    top, why = force_scale(table, meta)
    width = max(9.6, 1.2 * len(a1["values"]) * 2 + 3.5)
    height = max(4.6, 0.6 * len(a0["values"]) + 2.6)
    note = (
        "Colour scales: full range, 0–100% of runs and 0–"
        f"{force(top)} personnel ({why}).  Under each P(formed): its 95% interval; "
        "hatched: the interval overlaps every neighbouring cell's, so the sweep does not "
        "tell that cell apart from its neighbours.  Expected force: a mean, with no interval "
        "recorded in sweep.csv."
    )
    with style.chart_style():
        fig, body = header_figure(
            width, height, title, _wrapped(_subtitle(meta) + "\n" + note, width)
        )
        ax1, ax2 = body.subplots(1, 2)
        im1 = _heat(ax1, formed, meta, P_CMAP, Normalize(0, 1), pct, sub=ranges)
        _hatch(ax1, hatched)
        ax1.set_title("P(formed): target met, veto players accept", fontsize=10)
        bar1 = body.colorbar(im1, ax=ax1, shrink=0.85, label="share of runs that formed (0–100%)")
        bar1.ax.yaxis.set_major_formatter(lambda v, _: pct(v))
        im2 = _heat(ax2, force_m, meta, FORCE_CMAP, Normalize(0, top), force, 7.5)
        target = meta.get("target")
        sub = f", target {force(target)}" if target else ""
        ax2.set_title(f"Expected counted force (mean of the runs{sub})", fontsize=10)
        cb = body.colorbar(
            im2, ax=ax2, shrink=0.85, label=f"mean counted force, 0–{force(top)} ({why})"
        )
        cb.ax.yaxis.set_major_formatter(lambda v, _: force(v))
        for ax in (ax1, ax2):
            ax.set_xlabel(a1["label"])
            ax.set_ylabel(a0["label"])
            _rotate(ax, a1)
        files = style.save(fig, out_dir, "sweep_outcome")
    return _chart("sweep_outcome", files, title, _caption_best(table, meta))


def _heat_commit(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    a0, a1 = meta["axes"]
    shown, omitted = _shown_states(table, meta)
    title = f"P(commit) per state: {meta.get('title') or a0['label']}"
    ncols, nrows = _grid_shape(len(shown))
    cell_w = max(2.4, 0.55 * len(a1["values"]) + 1.0)
    cell_h = max(1.9, 0.32 * len(a0["values"]) + 1.2)
    note = "Framed cells: P(commit) ≥ 50% (the state is in); colour 0–100% of runs"
    if omitted:
        note += "; " + _omitted_note(omitted)
    width = cell_w * ncols + 2.4
    with style.chart_style():
        fig, body = header_figure(
            width, cell_h * nrows + 1.8, title, _wrapped(_subtitle(meta) + "\n" + note, width)
        )
        axes = body.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True)
        im = None
        for i, ax in enumerate(axes.flat):
            if i >= len(shown):
                ax.set_visible(False)
                continue
            code = shown[i]
            m = _matrix(table, meta, f"p_commit.{code}")
            im = _heat(ax, m, meta, P_CMAP, Normalize(0, 1), pct, 7, 0.5)
            ax.set_title(style.state_label(code, meta), fontsize=9)
            _rotate(ax, a1)
        _labels_below(axes, len(shown))
        if im is not None:
            bar = body.colorbar(im, ax=axes, shrink=0.6, label="P(commit) (0–100%)")
            bar.ax.yaxis.set_major_formatter(lambda v, _: pct(v))
        else:
            axes[0, 0].set_visible(True)
            style.empty_note(axes[0, 0], "No state reaches P(commit) 2% at any point.")
        body.supxlabel(a1["label"], fontsize=9.5)
        body.supylabel(a0["label"], fontsize=9.5)
        files = style.save(fig, out_dir, "sweep_commit")
    return _chart("sweep_commit", files, title, _commit_caption(table, meta, shown))


# ----------------------------------------------------------------------- samples


def _scatter(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> dict:
    axes_meta = meta["axes"]
    n = len(axes_meta)
    title = f"P(formed) and expected force against each axis: {meta.get('title') or ''}".rstrip(
        ": "
    )
    with style.chart_style():
        fig, body = header_figure(
            max(6.0, 3.2 * n + 0.8),
            5.6,
            title,
            _subtitle(meta, "Latin hypercube sample" if meta.get("design") == "lhs" else ""),
        )
        axes = body.subplots(2, n, squeeze=False, sharey="row")
        for j, axis in enumerate(axes_meta):
            x, ticks, labels = _positions(table, axis)
            top, bottom = axes[0, j], axes[1, j]
            top.scatter(x, table["p_formed"], s=16, color=FORMED_COLOUR, alpha=0.8)
            bottom.scatter(x, table["expected_force"], s=16, color=FORCE_COLOUR, alpha=0.8)
            top.set_ylim(-0.03, 1.03)
            bottom.set_ylim(bottom=0)
            bottom.yaxis.set_major_formatter(lambda v, _: force(v))
            for ax in (top, bottom):
                if not axis["numeric"]:
                    ax.set_xticks(ticks, labels)
                ax.grid(color="#eeeeee", linewidth=0.7)
            bottom.set_xlabel(axis["label"])
        axes[0, 0].set_ylabel("P(formed)")
        axes[0, 0].yaxis.set_major_formatter(lambda v, _: pct(round(v, 6)))
        axes[1, 0].set_ylabel("Expected counted force")
        files = style.save(fig, out_dir, "sweep_outcome")
    return _chart("sweep_outcome", files, title, _caption_best(table, meta))


def _chart(name: str, files: dict[str, str], title: str, caption: str) -> dict:
    return {"name": name, **files, "title": title, "caption": caption}


def draw(table: pd.DataFrame, meta: Mapping, out_dir: Path) -> list[dict]:
    """Draw the sweep's charts into `out_dir`; return name, files, title, caption of each."""
    out_dir = Path(out_dir)
    axes = meta["axes"]
    if table.empty:
        return []
    if meta.get("design") == "grid" and len(axes) == 1:
        return [_line_outcome(table, meta, out_dir), _line_commit(table, meta, out_dir)]
    if meta.get("design") == "grid" and len(axes) == 2:
        return [_heat_outcome(table, meta, out_dir), _heat_commit(table, meta, out_dir)]
    return [_scatter(table, meta, out_dir)]
