"""The explanation on the terminal: a table on a wide terminal, two lines a week otherwise."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

from sim.analysis.explain.compute import Explanation
from sim.analysis.explain.text import (
    concession_label,
    contribution,
    demand_section,
    deployment_lines,
    flip_short,
    headline,
    holding_back,
    num,
    peer_section,
    red_line_section,
    run_line,
)
from sim.scenario.arrays import Compiled

WIDE = 150
"""Terminal width from which the week-by-week view is a table (else two lines a week)."""


def _week_table(C: Compiled, ex: Explanation) -> Table:
    tab = Table(title="Week by week", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1))
    for col, just in (
        ("wk", "right"),
        ("stance", "left"),
        ("contribution", "left"),
        ("payoff", "right"),
        ("held back by", "left"),
        ("peers", "right"),
        ("demand", "left"),
        ("would flip it", "left"),
    ):
        tab.add_column(col, justify=just)
    for w in ex.weeks:
        tab.add_row(
            str(w.week),
            w.stance,
            contribution(C, w),
            num(w.payoff),
            holding_back(w, ex, short=True),
            num(w.conformity),
            concession_label(C, w.demand).lower() if w.demand else "—",
            flip_short(C, w),
        )
    return tab


def print_explanation(console: Console, ex: Explanation) -> None:
    """The explanation on the terminal."""
    C = ex.C
    console.print(f"[bold]Why {ex.name} ({ex.code}) did what it did[/bold]")
    console.print(f"{C.scenario.title} — {run_line(ex)}", highlight=False)
    console.print(headline(ex).replace("**", ""), highlight=False)
    if console.width >= WIDE:
        console.print(_week_table(C, ex))
    else:
        console.print("[bold]Week by week[/bold]")
        for w in ex.weeks:
            console.print(
                f"[bold]{w.week:>3}[/bold] {w.stance:<11} {num(w.payoff):>6}  "
                f"{contribution(C, w)} · held back by: {holding_back(w, ex, short=True)}",
                highlight=False,
            )
            console.print(
                f"    peers {num(w.conformity)} · demand: "
                f"{concession_label(C, w.demand).lower() if w.demand else '—'} · "
                f"would flip it: {flip_short(C, w)}",
                style="dim",
                highlight=False,
            )
    console.print(
        "peers: pull (or, for free-riding blocs, push) of the blocs it follows; "
        "demand: the concession it asked the broker for",
        style="dim",
    )
    console.print("[bold]Binding red lines and their evidence[/bold]")
    for line in red_line_section(ex):  # soft wrap: a source's URL stays whole, copyable
        console.print(
            line.replace("**", "").replace("`", ""), highlight=False, markup=False, soft_wrap=True
        )
    console.print("[bold]Peer influence[/bold]")
    for line in peer_section(ex):
        console.print(line, highlight=False, markup=False)
    console.print("[bold]Demands[/bold]")
    for line in demand_section(ex):
        console.print(line.replace("**", "").replace("`", ""), highlight=False, markup=False)
    after = deployment_lines(ex)
    if after:
        console.print("[bold]After the force formed[/bold]")
        for line in after:
            console.print(line, highlight=False, markup=False)
    chart = ex.charts.get("waterfall")
    if chart:
        console.print(
            f"Payoff components (week {ex.weeks[-1].week}): {chart['caption']}", highlight=False
        )
