"""The terminal summary printed after a run.

The rows are the ones report.md shows (`report.outcome_rows`), so a share
reads the same on the console and in the report.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.analysis import words as wd
from sim.analysis.report import adds_up, outcome_rows, packaged
from sim.numbers import pct, share_ci
from sim.scenario.arrays import Compiled

TOP = 5


def print_summary(console: Console, C: Compiled, s: dict) -> None:
    """Outcome shares with their intervals, force where formed, top coalitions, P(commit)."""
    n = s["runs"]
    console.print(f"[bold]{C.scenario.title}[/bold]  ({n} runs)", highlight=False)
    for measure, value in outcome_rows(C, s):
        console.print(f"{measure}: {value}", highlight=False, markup=False)
    console.print(
        "(in brackets: 95% interval of the share over this number of runs)",
        style="dim",
        highlight=False,
    )
    console.print("[bold]Most frequent coalitions[/bold] (contributors counted toward the target)")
    coal = Table()
    coal.add_column("share (95%)", justify="right")
    coal.add_column("members")
    for c in s["coalitions"][:TOP]:
        coal.add_row(share_ci(c["share"], n), ", ".join(c["members"]) or "(none)")
    console.print(coal)
    kinds = [k for k in C.kinds if any(st["p_commit_by_kind"][k] for st in s["states"].values())]
    console.print("[bold]P(commit) by state and contribution kind[/bold]")
    tab = Table()
    tab.add_column("state")
    tab.add_column("P(commit) (95%)", justify="right")
    for k in kinds:
        tab.add_column(wd.id_words(k, C), justify="right")
    ranked = sorted(s["states"].items(), key=lambda kv: (-kv[1]["p_commit"], kv[0]))
    uneven = bundled = False
    for code, st in ranked:
        parts = [st["p_commit_by_kind"][k] for k in kinds]
        mark = ""
        if packaged(st):
            mark, bundled = " †", True
        elif sum(1 for p in parts if p) > 1 and not adds_up(
            [p for p in parts if p], st["p_commit"]
        ):
            mark, uneven = " *", True
        tab.add_row(
            f"{st['name']} ({code})",
            share_ci(st["p_commit"], n) + mark,
            *[pct(p) if p else "—" for p in parts],
        )
    console.print(tab)
    if uneven:
        console.print(
            "* each kind is rounded on its own: the kinds need not add up to the total",
            style="dim",
            highlight=False,
        )
    if bundled:
        console.print(
            "† a package counts in each kind it brings: the kinds add up to more than the total",
            style="dim",
            highlight=False,
        )
