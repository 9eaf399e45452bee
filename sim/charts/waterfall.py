"""One state's payoff for joining, built up component by component (a waterfall).

Each bar starts where the previous one ended: incentives push the payoff up,
distance from preferred terms, domestic opposition and risk pull it down, peers,
momentum, side payments and noise add their share; the last bar is the payoff
itself, set against the stance thresholds. Drawn from one row of the `states`
table (the components there are signed and add up to the payoff).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.charts import style

NAME = "waterfall"
COMPONENTS: dict[str, str] = {
    "incentives": "Incentives",
    "distance": "Distance from\npreferred terms",
    "domestic": "Domestic\nopposition",
    "risk": "Security risk",
    "conformity": "Bloc peers\n(conformity)",
    "bandwagon": "Bandwagon\n(others' pledges)",
    "side_payment": "Side\npayments",
    "noise": "Noise",
}
"""Components in the order they are stacked, with their axis labels."""

UP, DOWN, TOTAL = "#0072B2", "#D55E00", "#444444"
THRESHOLDS = (
    ("committed", "commits at"),
    ("offered", "offers at"),
    ("conditional", "conditional at"),
)


@dataclass(frozen=True)
class Bar:
    """One floating bar: a component moves the running total from start to end."""

    name: str
    label: str
    start: float
    end: float

    @property
    def delta(self) -> float:
        """The component's signed value."""
        return self.end - self.start


def bars(row: Mapping[str, float]) -> list[Bar]:
    """The component bars of a states-table row, zero components left out."""
    out, total = [], 0.0
    for name, label in COMPONENTS.items():
        value = float(row.get(name, 0.0) or 0.0)
        if value == 0.0:
            continue
        out.append(Bar(name, label, total, total + value))
        total += value
    return out


def build(
    row: Mapping[str, float], meta: Mapping, title: str, context: str = ""
) -> tuple[Figure, Axes, list[Bar]]:
    """The figure (not saved): component bars, the payoff bar and the thresholds.

    `meta["thresholds"]` maps conditional/offered/committed to payoff levels.
    """
    steps = bars(row)
    payoff = float(row["payoff"])
    thresholds = meta.get("thresholds") or {}
    with style.chart_style():
        fig, ax = style.new_figure(max(7.0, 1.0 + 1.05 * (len(steps) + 1)) + 1.8, 4.8)
        style.titles(fig, ax, title, style.subtitle(meta, context))
        for x, bar in enumerate(steps):
            colour = UP if bar.delta > 0 else DOWN
            ax.bar(x, bar.delta, bottom=bar.start, width=0.62, color=colour, zorder=3)
            _value(ax, x, bar.start, bar.end, signed(bar.delta))
            if x + 1 <= len(steps):
                ax.plot(
                    [x + 0.31, x + 0.69], [bar.end, bar.end], color=style.MUTED, lw=0.8, zorder=2
                )
        n = len(steps)
        ax.bar(n, payoff, bottom=0.0, width=0.62, color=TOTAL, zorder=3)
        _value(ax, n, 0.0, payoff, signed(payoff), bold=True)
        ax.axhline(0.0, color="#888888", linewidth=0.9, zorder=1)
        handles = [
            Patch(color=UP, label="raises the payoff"),
            Patch(color=DOWN, label="lowers the payoff"),
            Patch(color=TOTAL, label="payoff for joining"),
        ]
        for (rung, words), dash in zip(THRESHOLDS, ("--", "-.", ":"), strict=True):
            if rung in thresholds:
                level = float(thresholds[rung])
                colour = style.STANCE_COLOURS[rung] if rung != "conditional" else "#8f6fa8"
                ax.axhline(level, color=colour, linestyle=dash, linewidth=1.2, zorder=2)
                handles.append(
                    Line2D([], [], color=colour, linestyle=dash, label=f"{words} {signed(level)}")
                )
        ax.set_xticks(range(n + 1), [b.label for b in steps] + ["Payoff"])
        ax.set_xlim(-0.6, n + 0.6)
        lows = [0.0, payoff, *(b.start for b in steps), *(b.end for b in steps)]
        lows += [float(v) for v in thresholds.values()]
        lo, hi = min(lows), max(lows)
        pad = 0.12 * max(hi - lo, 0.2)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_ylabel("Payoff for joining (payoff units)")
        ax.grid(axis="y", color="#e5e5e5", linewidth=0.8, zorder=0)
        ax.set_axisbelow(True)
        ax.tick_params(axis="x", length=0)
        note = meta.get("note")
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            title=style.wrap(note, 30) if note else None,
            title_fontsize=8.5,
            alignment="left",
        )
    return fig, ax, steps


def signed(x: float) -> str:
    """+0.25 / −0.10, with a true minus sign."""
    return f"{x:+.2f}".replace("-", "\u2212")


def _value(ax: Axes, x: float, start: float, end: float, text: str, bold: bool = False) -> None:
    """The value just above a rising bar, just below a falling one."""
    top = end >= start
    ax.annotate(
        text,
        xy=(x, max(start, end) if top else min(start, end)),
        xytext=(0, 3 if top else -3),
        textcoords="offset points",
        ha="center",
        va="bottom" if top else "top",
        fontsize=8.5,
        fontweight="bold" if bold else "normal",
        color=style.INK,
        zorder=4,
    )


def draw(
    row: Mapping[str, float],
    meta: Mapping,
    out_dir: Path,
    name: str = NAME,
    title: str = "Payoff for joining, component by component",
    context: str = "",
) -> dict:
    """Draw and save `name`.png and `name`.svg; return file names and a caption."""
    fig, _, steps = build(row, meta, title, context)
    files = style.save(fig, Path(out_dir), name)
    parts = ", ".join(f"{b.label.replace(chr(10), ' ').lower()} {b.delta:+.2f}" for b in steps)
    return {
        "name": name,
        **files,
        "title": title,
        "caption": f"Payoff {float(row['payoff']):+.2f} = {parts or 'no component'}.",
        "bars": steps,
    }
