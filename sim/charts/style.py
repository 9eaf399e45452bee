"""Shared look of every chart: palettes, fonts, labels and deterministic saving.

Colours are fixed so a reader who learns them on one chart can read them on
the next: stances run from a warm "declined" through neutral grey to a dark
"committed"; contribution kinds use the Okabe-Ito colour-blind-safe palette.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path

import matplotlib

if "matplotlib.pyplot" not in sys.modules and not os.environ.get("MPLBACKEND"):
    # Files only, no window. A backend the user already chose (a notebook's inline
    # one, pyplot imported) is left alone: switching it would close their figures.
    matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim.numbers import force, pct, wilson
from sim.output.formats import (  # noqa: F401 - the chart side of `--formats`
    DEFAULT_FORMATS,
    FORMATS,
    current_formats,
    formats,
    link,
)

DPI = 120

STANCES: tuple[str, ...] = ("declined", "considering", "conditional", "offered", "committed")
"""The stance ladder, lowest first (the order used for sorting and legends)."""

STANCE_COLOURS: dict[str, str] = {
    "declined": "#d6604d",
    "considering": "#e0e0e0",
    "conditional": "#c2a5cf",
    "offered": "#8073ac",
    "committed": "#2d004b",
}
"""Diverging orange-to-purple ramp (ColorBrewer PuOr family, colour-blind safe)."""

STANCE_TEXT: dict[str, str] = {
    "declined": "black",
    "considering": "black",
    "conditional": "black",
    "offered": "white",
    "committed": "white",
}
"""Text colour that stays legible on each stance colour."""

KIND_PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
    "#999999",  # grey
    "#882255",  # wine (Paul Tol)
    "#44AA99",  # teal (Paul Tol)
    "#DDCC77",  # sand (Paul Tol)
)
"""Okabe-Ito first, then Paul Tol's muted colours for scenarios with many kinds."""

SERIES_PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
"""Colours for veto players and concessions (one line each)."""

INK = "#222222"
MUTED = "#666666"
TARGET_COLOUR = "#009E73"
MINIMUM_COLOUR = "#E69F00"
DEADLINE_COLOUR = "#555555"
NOT_COUNTED_HATCH = "///"
DEADLINE: dict[str, object] = {"color": DEADLINE_COLOUR, "linewidth": 1.1, "linestyle": "-."}

RC: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.titlesize": 12.5,
    "figure.titleweight": "bold",
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "hatch.linewidth": 1.0,
    "svg.fonttype": "path",
    "svg.hashsalt": "forcegen-charts",
    "svg.id": "forcegen",
    "path.simplify": True,
    # Glyphs drawn from their outlines, not fitted to the pixel grid by FreeType's
    # autohinter (matplotlib's default): the same text to a reader, and every chart
    # about 15% faster to draw (docs/performance.md).
    "text.hinting": "no_hinting",
}


class ChartFigure(Figure):
    """A chart's figure: drawn in the house style wherever it is drawn.

    Some of the style is read when a figure is drawn, not when it is built (how
    glyphs are rasterised, path simplification, hatch widths). A chart the results
    folder saves is drawn inside `chart_style`; one handed to a notebook or the web
    page (`sim.charts.figure`) is drawn later, by their `savefig`, and without this
    would be drawn with matplotlib's defaults: not the folder's picture."""

    def draw(self, renderer) -> None:
        with matplotlib.rc_context(RC):
            super().draw(renderer)


@contextlib.contextmanager
def chart_style() -> Iterator[None]:
    """Apply the house style for one chart without touching global rcParams."""
    with matplotlib.rc_context(RC):
        yield


def new_figure(width: float, height: float) -> tuple[Figure, Axes]:
    """One figure with one axes, laid out by constrained layout."""
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained", FigureClass=ChartFigure)
    return fig, ax


def new_figures(width: float, height: float, n: int) -> tuple[Figure, list[Axes]]:
    """One figure with `n` axes side by side, laid out by constrained layout."""
    fig, axes = plt.subplots(
        1, n, figsize=(width, height), layout="constrained", FigureClass=ChartFigure
    )
    return fig, list(axes)


def titles(fig: Figure, ax: Axes, title: str, subtitle: str, *, pinned: bool = False) -> None:
    """Bold chart title and grey context line, both flush with the figure's left edge.

    The axes gets a blank title so constrained layout reserves the subtitle's line;
    the subtitle itself is anchored to the figure edge rather than the axes edge so
    it lines up with the title above it whatever the width of the tick labels.
    A subtitle too long for the figure is wrapped at middots (or words) onto more
    lines, each reserved, so it is never cut at the figure's edge.

    `pinned` is for an axes with nothing along its top (ticks and axis label at the
    bottom): see `TOP`.
    """
    fig.suptitle(wrap(title, int(fig.get_figwidth() * TITLE_CHARS_PER_INCH)), x=0.01, ha="left")
    lines = wrap_subtitle(subtitle, int(fig.get_figwidth() * SUBTITLE_CHARS_PER_INCH))
    spacer = "\n".join([" "] * (lines.count("\n") + 1))
    ax.set_title(spacer, loc="left", fontsize=9, **(TOP if pinned else {}))
    note = ax.annotate(
        lines,
        xy=(0.01, 1.0),
        xycoords=("figure fraction", "axes fraction"),
        xytext=(0, matplotlib.rcParams["axes.titlepad"]),
        textcoords="offset points",
        ha="left",
        va="baseline",
        fontsize=9,
        color=MUTED,
        annotation_clip=False,
    )
    note.set_in_layout(False)


TOP = {"y": 1.0}
"""`set_title` keywords that pin an axes' titles at its top, for an axes with its
ticks and axis label at the bottom. Left to itself, matplotlib places a title
above whatever is along the axes' top, measuring the axes for it (its y axis's
tick labels, every time the axes is measured or drawn: two layout passes and the
draw); with nothing there the title stays at the top, where this puts it without
measuring: the same pixels, and on the flagship's seven charts a tenth fewer Python
calls and about 6% less CPU (bench/charts.py)."""

TITLE_CHARS_PER_INCH = 9.0
"""Characters of the bold 12.5-point title that fit in an inch of figure width."""
SUBTITLE_CHARS_PER_INCH = 12.5
"""Characters of 9-point subtitle text that fit in an inch of figure width."""


def wrap_subtitle(text: str, width: int) -> str:
    """Break a '  ·  '-separated subtitle between its parts (words if a part is too long)."""
    out: list[str] = []
    for part in text.split("  ·  "):
        if out and len(out[-1]) + 5 + len(part) <= width:
            out[-1] += "  ·  " + part
        else:
            out.extend(textwrap.wrap(part, width) or [part])
    return "\n".join(out)


def deadline_line(ax: Axes, deadline: int, x: float | None = None, zorder: float = 1) -> None:
    """Dash-dot vertical line at the broker's deadline, labelled for the legend."""
    ax.axvline(
        deadline if x is None else x,
        zorder=zorder,
        label=f"Deadline (week {deadline})",
        **DEADLINE,
    )


def round_axis(ax: Axes) -> None:
    """Rounds are whole weeks: integer ticks only, labelled as such."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=2))
    ax.set_xlabel("Week of negotiation")


SHARE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25)


def share_axis(ax: Axes, top: float, which: str = "x", ticks: int = 6) -> None:
    """A share-of-runs axis from 0 to `top`, ticks at whole percents written by `pct`."""
    step = next((s for s in SHARE_STEPS if top / s <= ticks), 0.25)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(MultipleLocator(step))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: pct(round(v, 6))))


def nice_share_top(largest: float, floor: float = 0.05) -> float:
    """An axis end a little above the largest share (room for its label), at most 1."""
    room = largest * 1.12 + 0.02
    step = 0.05 if room <= 0.5 else 0.1
    return min(1.0, max(floor, step * -(-room // step)))


def share_intervals(shares, runs: int | None) -> np.ndarray:
    """(n, 2): each share's 95% Wilson interval over `runs` runs (as the report prints
    it); the share itself at both ends where the run count is not known."""
    shares = np.asarray(shares, dtype=float)
    if not runs:
        return np.column_stack([shares, shares])
    return np.array([wilson(float(p), runs) for p in shares]).reshape(-1, 2)


def share_whiskers(ax: Axes, shares, y, runs: int | None) -> np.ndarray:
    """Draw each bar's 95% interval as a whisker where the run count is known; return
    the intervals (`share_intervals`), whose upper ends the bar's label follows."""
    shares = np.asarray(shares, dtype=float)
    ends = share_intervals(shares, runs)
    if runs and len(shares):
        ax.errorbar(shares, y, xerr=[shares - ends[:, 0], ends[:, 1] - shares], fmt="none",
                    ecolor=INK, elinewidth=0.8, capsize=2.5)  # fmt: skip
    return ends


_captured: ContextVar[list[Figure] | None] = ContextVar("captured", default=None)


@contextlib.contextmanager
def capture() -> Iterator[list[Figure]]:
    """Keep the figures charts draw instead of writing them.

    Inside the block `save` writes nothing: it appends the finished figure to the
    yielded list and detaches it from pyplot (so no figure is left open), and
    returns the file names it would have written. A chart's `draw` called here
    builds exactly the figure it would have saved.
    """
    figures: list[Figure] = []
    token = _captured.set(figures)
    try:
        yield figures
    finally:
        _captured.reset(token)


SAVE_OPTIONS: dict[str, dict] = {
    "png": {"dpi": DPI, "metadata": {"Software": None}, "pil_kwargs": {"compress_level": 3}},
    "svg": {"metadata": {"Date": None, "Creator": None}},
}
"""Per-format `savefig` options: byte-stable metadata (no date, no version). PNG at
zlib level 3, not Pillow's 6: on the flagship's seven charts it compressed in 164 ms
against 264 ms of CPU and into 701 KB against 764 KB (docs/performance.md)."""


def save(fig: Figure, out_dir: Path, name: str) -> dict[str, str]:
    """Write `name`.png (and `name`.svg) in the current formats, then close the figure.

    Returns the files written by format, e.g. {"png": "force_bands.png"}: only the
    formats written (`formats`), none when charts are not drawn to files. The
    layout (constrained layout) runs once per figure (`lay_out_once`), whatever
    the number of formats, and each format is drawn once. Under `capture()` the
    figure is kept, not written (see there), its layout engine left in place.
    """
    files = {fmt: f"{name}.{fmt}" for fmt in current_formats()}
    kept = _captured.get()
    if kept is not None:
        plt.close(fig)  # closed in pyplot only: the Figure itself stays usable
        kept.append(fig)
        return files
    try:
        if files:
            out_dir.mkdir(parents=True, exist_ok=True)
            place_empty_labels(fig)
            lay_out_once(fig)
        for fmt, file in files.items():
            fig.savefig(out_dir / file, **SAVE_OPTIONS[fmt])
    finally:
        plt.close(fig)
    return files


def place_empty_labels(fig: Figure) -> None:
    """Fix where an axis with no label (a grid's states, a shared week axis) puts it.

    matplotlib places an axis label below (or beside) the axis's tick labels,
    measuring them again for it at both layout passes and the draw. An empty
    label is neither drawn nor counted in the layout, so it is put anywhere,
    once: the same pixels, without the measuring.
    """
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if not axis.label.get_text():
                axis.set_label_coords(0.5, 0.0)


NO_LAYOUT = {"figure.autolayout": False, "figure.constrained_layout.use": False}


def lay_out_once(fig: Figure) -> None:
    """Run the figure's layout engine once, at the PNG's resolution, then remove it.

    `savefig` with a layout engine draws the figure twice (a dry draw that runs
    the layout, then the real one), and again for every format; without one it
    draws once, at the positions set here. The PNG is pixel for pixel the one
    `savefig` lays out itself; the SVG uses the same positions (figure fractions).
    """
    engine = fig.get_layout_engine()
    if engine is None:
        return
    fig.set_dpi(DPI)
    if fig.axes:
        engine.execute(fig)
    with matplotlib.rc_context(NO_LAYOUT):
        fig.set_layout_engine(None)


def empty_note(ax: Axes, text: str) -> None:
    """Centre a note on an axes that has nothing to plot."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=MUTED,
        fontsize=10.5,
        wrap=True,
    )


def state_label(code: str, meta: Mapping) -> str:
    """'Pakistan (PAK)' when the name is known, the bare code otherwise."""
    name = meta.get("states", {}).get(code)
    return f"{name} ({code})" if name and name != code else code


def kind_label(kind: str, meta: Mapping, *, measure: bool = False) -> str:
    """Human label of a contribution kind, optionally with its unit of measure."""
    label = meta.get("kinds", {}).get(kind) or kind.replace("_", " ").capitalize()
    unit = meta.get("kind_measure", {}).get(kind)
    return f"{label} ({unit})" if measure and unit else label


def kind_base_label(kind: str, meta: Mapping) -> str:
    """A kind's label without its parenthesised notes ('Staff officers at headquarters'
    for '... (outside the territory)'): for text beside a bar, the legend carrying the
    notes."""
    label = meta.get("kinds", {}).get(kind) or kind.replace("_", " ").capitalize()
    return re.sub(r"\s*\([^()]*\)", "", label).strip() or label


def kind_note_label(kind: str, meta: Mapping, *, money: bool = True) -> str:
    """A kind with every note in one parenthesis, never two in a row.

    'Police trainers (outside the territory)' that does not count reads
    'Police trainers (outside the territory; not counted toward target)'; money keeps
    its unit ('Funding (USD million; not counted toward target)') when `money` is set.
    """
    label = meta.get("kinds", {}).get(kind) or kind.replace("_", " ").capitalize()
    notes = [n.strip() for n in re.findall(r"\(([^()]*)\)", label) if n.strip()]
    base = kind_base_label(kind, meta)
    unit = meta.get("kind_measure", {}).get(kind)
    if money and unit and unit.lower() != "personnel":
        notes.append(unit)
    if not is_counted(kind, meta):
        notes.append("not counted toward target")
    return f"{base} ({'; '.join(notes)})" if notes else base


def state_order(p_commit: Mapping[str, float]) -> list[str]:
    """States most likely to commit first, ties by code: the order of the report's table.

    The report (sim/analysis/report.py, `summary_table`) ranks states by P(commit)
    (rounded to 6 digits in summary.json) descending, then by code; charts that list
    states use this so a reader finds the rows in the same order in both.
    """
    return sorted(p_commit, key=lambda c: (-round(float(p_commit[c] or 0.0), 6), c))


def is_counted(kind: str, meta: Mapping) -> bool:
    """Whether pledges of this kind count toward the force target."""
    counted = meta.get("counted_kinds")
    return True if counted is None else kind in counted


def ordered_kinds(meta: Mapping, seen: Sequence[str] = ()) -> list[str]:
    """Kinds in scenario order, then any extra kinds found in a table, sorted."""
    kinds = [k for k in meta.get("kinds", {}) if k]
    return kinds + sorted({k for k in seen if k and k not in kinds})


def kind_colours(kinds: Sequence[str]) -> dict[str, str]:
    """A fixed colour per kind, assigned in scenario order so every chart agrees."""
    return {k: KIND_PALETTE[i % len(KIND_PALETTE)] for i, k in enumerate(kinds)}


def kind_codes(kinds: Sequence[str], meta: Mapping) -> dict[str, str]:
    """Short unique codes ("T", "PT", "Me") for marking kinds inside grid cells."""
    codes: dict[str, str] = {}
    for kind in kinds:
        words = [w for w in kind_label(kind, meta).replace("_", " ").split() if w[0].isalnum()]
        words = words or [kind]
        first = words[0]
        candidates = [
            first[0].upper(),
            "".join(w[0] for w in words[:2]).upper(),
            first[:2].capitalize(),
            first[:3].capitalize(),
        ]
        code = next((c for c in candidates if c not in codes.values()), None)
        codes[kind] = code or f"{first[0].upper()}{len(codes) + 1}"
    return codes


def wrap(text: str, width: int) -> str:
    """Wrap a label onto several lines so it never runs into its neighbours."""
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def subtitle(meta: Mapping, *parts: str) -> str:
    """Scenario title followed by chart-specific context, separated by middots."""
    items = [str(meta.get("title") or meta.get("scenario") or ""), *parts]
    return "  ·  ".join(p for p in items if p)


def fmt_amount(value: float) -> str:
    """12,340 for large amounts, 0.35 for fractions."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def fmt_share(value: float) -> str:
    """A share of runs as a percentage, e.g. 0.345 -> '35%' (as `sim.numbers.pct`)."""
    return pct(value)


def outline_cell(ax: Axes, row: int, col: int, zorder: int = 4) -> None:
    """Frame one cell of a heatmap (e.g. a probability of at least one half)."""
    from matplotlib.patches import Rectangle

    ax.add_patch(
        Rectangle(
            (col - 0.5, row - 0.5), 1, 1, fill=False, edgecolor=INK, linewidth=1.6, zorder=zorder
        )
    )


def target_of(runs: pd.DataFrame, meta: Mapping) -> tuple[float | None, tuple | None, str]:
    """The target a chart draws: (line, band of per-run targets or None, where it comes
    from). A target drawn per run (a range) is its median over the runs, with the
    5–95% band of the runs' targets; a fixed one is the scenario's."""
    values = None
    if "target" in runs and runs["target"].notna().any():
        values = runs["target"].astype(float)
    elif meta.get("target_by_run") and "run" in runs:
        values = runs["run"].map(meta["target_by_run"]).dropna().astype(float)
    if values is not None and len(values):
        band = (float(values.quantile(0.05)), float(values.quantile(0.95)))
        return float(values.median()), band, "target drawn per run (median, 5–95% of runs)"
    return (
        meta.get("target"),
        None,
        "lines: the scenario's target (midpoint, if a range) and minimum viable size",
    )


def target_lines(
    ax: Axes,
    target: float | None,
    minimum: float | None = None,
    width: float = 1.4,
    band: tuple[float, float] | None = None,
) -> None:
    """The broker's target (dashed) and minimum viable size (dotted), labelled for the
    legend; with `band` (a target drawn per run), the line is the runs' median and
    the band their 5–95%, each named so in the legend."""
    if band is not None and band[0] < band[1]:
        ax.axhspan(*band, color=TARGET_COLOUR, alpha=0.10, linewidth=0, zorder=0,
                   label=f"Target, 5–95% of runs ({force(band[0])}–{force(band[1])})")  # fmt: skip
    if target:
        name = "Target, median of runs" if band is not None else "Target"
        ax.axhline(
            target,
            color=TARGET_COLOUR,
            linewidth=width,
            linestyle="--",
            label=f"{name} ({force(target)})",
        )
    if minimum:
        ax.axhline(
            minimum,
            color=MINIMUM_COLOUR,
            linewidth=width,
            linestyle=":",
            label=f"Minimum viable ({force(minimum)})",
        )
