"""The terminal summary printed after a run."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from sim.analysis.report import pct
from sim.scenario.arrays import Compiled

TOP = 5


def print_summary(console: Console, C: Compiled, s: dict) -> None:
    """P(formed), force size, time to form, top coalitions, P(commit) by kind."""
    o, f, r = s["outcome"], s["force"], s["rounds_to_form"]
    console.print(f"[bold]{C.scenario.title}[/bold]  ({s['runs']} runs)")
    console.print(
        f"P(formed) {pct(o['formed'])}   undersized {pct(o['undersized'])}   "
        f"stalled {pct(o['stalled'])}"
    )
    d = s["stalled_detail"]
    if o["stalled"]:
        console.print(
            f"  stalled with enough pledged but the mandate rejected: {pct(d['mandate_rejected'])}"
            f"   short of the minimum: {pct(d['short_of_minimum'])}"
        )
    console.print(
        f"counted force: median {f['median']:,.0f}  (5–95%: {f['p05']:,.0f}–{f['p95']:,.0f})   "
        + "weeks to form: "
        + ("never formed" if r["median"] is None else f"median {r['median']:.0f}")
    )
    console.print("[bold]Most frequent coalitions[/bold] (contributors counted toward the target)")
    coal = Table()
    coal.add_column("share", justify="right")
    coal.add_column("members")
    for c in s["coalitions"][:TOP]:
        coal.add_row(pct(c["share"]), ", ".join(c["members"]) or "(none)")
    console.print(coal)
    kinds = [k for k in C.kinds if any(st["p_commit_by_kind"][k] for st in s["states"].values())]
    console.print("[bold]P(commit) by state and contribution kind[/bold]")
    tab = Table()
    tab.add_column("state")
    tab.add_column("P(commit)", justify="right")
    for k in kinds:
        tab.add_column(k.replace("_", " "), justify="right")
    ranked = sorted(s["states"].items(), key=lambda kv: (-kv[1]["p_commit"], kv[0]))
    for code, st in ranked:
        tab.add_row(
            f"{st['name']} ({code})",
            pct(st["p_commit"]),
            *[pct(st["p_commit_by_kind"][k]) for k in kinds],
        )
    console.print(tab)
