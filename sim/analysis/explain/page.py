"""explain_<ID>.md: the explanation as a page."""

from __future__ import annotations

from sim.analysis.explain.compute import Explanation
from sim.analysis.explain.text import (
    concession_label,
    contribution,
    demand_section,
    deployment_lines,
    flip_text,
    headline,
    lines_of,
    peer_section,
    peer_text,
    red_line_section,
    run_line,
    words,
)
from sim.charts import waterfall


def markdown(ex: Explanation) -> str:
    """The whole explain_<ID>.md."""
    C = ex.C
    lines = [
        f"# Why {ex.name} ({ex.code}) did what it did",
        "",
        f"*{C.scenario.title}* — {run_line(ex)}",
        "",
        headline(ex),
        "",
        "## Week by week",
        "",
        "| week | stance | contribution | payoff | binding red lines | clarity | "
        "peers (pull; committed / declined) | demand sent | concession that would flip it |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for w in ex.weeks:
        gate = f"{w.clarity:.2f}" + ("" if w.gate_open else " (below)")
        lines.append(
            f"| {w.week} | {w.stance} | {contribution(C, w)} | {w.payoff:+.2f} | "
            f"{', '.join(lines_of(w)) or '—'} | {gate} | {peer_text(w)} | "
            f"{concession_label(C, w.demand) if w.demand else '—'} | {flip_text(C, w)} |"
        )
    lines += ["", "## The binding red lines and their evidence", ""]
    lines += red_line_section(ex)
    lines += ["## Payoff components", ""]
    chart = ex.charts.get("waterfall")
    if chart:
        lines += [f"![{chart['title']}]({chart['png']})", "", chart["caption"], ""]
    lines += [
        "The payoff for joining, at the kind shown, is the sum of the components "
        "(positive helps, negative holds back). Stance thresholds: conditional "
        f"{ex.thresholds['conditional']:+.2f}, offered {ex.thresholds['offered']:+.2f}, "
        f"committed {ex.thresholds['committed']:+.2f}.",
        "",
        "| week | kind | " + " | ".join(words(c) for c in waterfall.COMPONENTS) + " | payoff |",
        "|---|---|" + "---|" * (len(waterfall.COMPONENTS) + 1),
    ]
    for w in ex.weeks:
        vals = " | ".join(f"{w.components[c]:+.2f}" for c in waterfall.COMPONENTS)
        kind = C.scenario.kinds[w.considered].label.lower()
        lines.append(f"| {w.week} | {kind} | {vals} | {w.payoff:+.2f} |")
    lines += ["", "## Peer influence", ""]
    lines += peer_section(ex)
    lines += ["", "## Demands and the concession that would flip it", ""]
    lines += demand_section(ex)
    after = deployment_lines(ex)
    if after:
        lines += ["", "## After the force formed", "", *after]
    return "\n".join(lines) + "\n"
