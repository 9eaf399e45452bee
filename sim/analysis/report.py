"""report.md: the scenario in a paragraph, the summary, and every chart with a sentence."""

from __future__ import annotations

import pandas as pd

from sim.scenario.arrays import Compiled


def pct(p: float | None) -> str:
    """A probability as a whole percentage."""
    return "n/a" if p is None else f"{100 * p:.0f}%"


def mandate_words(C: Compiled, terms: dict, skip: tuple[str, ...] = ()) -> str:
    """A mandate's terms as a readable list ("Use of force: enforcement; ...")."""
    parts = []
    for term, value in terms.items():
        if term in skip:
            continue
        label = C.scenario.vocabulary[term].label or term.replace("_", " ")
        if isinstance(value, list):
            shown = ", ".join(v.replace("_", " ") for v in value) or "none"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        else:
            shown = str(value).replace("_", " ")
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def mandate_text(C: Compiled) -> str:
    """The scenario's mandate as a readable list."""
    return mandate_words(C, C.scenario.mandate)


def scenario_paragraph(C: Compiled, summary: dict) -> str:
    """The scenario in a paragraph: what is being tested and how often."""
    sc = C.scenario
    b = sc.broker
    target = _fmt_range(b.target)
    return (
        f"{sc.description.strip()}\n\n"
        f"**Mandate.** {mandate_text(C)}.\n\n"
        f"**Set-up.** {len(sc.states)} contributor states; broker {b.name} seeks {target} "
        f"({', '.join(sc.force.counts)} count toward it), accepts at least "
        f"{_fmt_range(b.minimum_viable)} at the deadline of {b.deadline} weeks; "
        f"veto players: {', '.join(v.name for v in sc.veto_players.values()) or 'none'}; "
        f"{summary['runs']} runs from seed {sc.run.seed}."
    )


def _fmt_range(v) -> str:
    if isinstance(v, tuple):
        return f"{v[0]:,.0f}–{v[1]:,.0f}"
    return f"{v:,.0f}"


def summary_table(C: Compiled, summary: dict) -> str:
    """Outcome, force size, time to form, and the states most likely to commit."""
    o, f, r = summary["outcome"], summary["force"], summary["rounds_to_form"]
    lines = [
        "| measure | value |",
        "|---|---|",
        f"| P(formed) | {pct(o['formed'])} |",
        f"| P(formed undersized at the deadline) | {pct(o['undersized'])} |",
        f"| P(stalled) | {pct(o['stalled'])} |",
        f"| … with enough pledged, but a veto player rejecting the mandate | "
        f"{pct(summary['stalled_detail']['mandate_rejected'])} |",
        f"| … short of the minimum viable force | "
        f"{pct(summary['stalled_detail']['short_of_minimum'])} |",
        f"| counted force, median (5–95%) | {f['median']:,.0f} ({f['p05']:,.0f}–{f['p95']:,.0f}) |",
        "| weeks to form, median | "
        + ("n/a (never formed)" if r["median"] is None else f"{r['median']:.0f}")
        + " |",
    ]
    lines += ["", "| state | P(commit) | by kind |", "|---|---|---|"]
    ranked = sorted(summary["states"].items(), key=lambda kv: (-kv[1]["p_commit"], kv[0]))
    for code, st in ranked:
        kinds = ", ".join(
            f"{k.replace('_', ' ')} {pct(p)}" for k, p in st["p_commit_by_kind"].items() if p
        )
        lines.append(f"| {st['name']} ({code}) | {pct(st['p_commit'])} | {kinds or '—'} |")
    return "\n".join(lines)


def why_out(C: Compiled, tables: dict[str, pd.DataFrame]) -> str:
    """Why the states that stay out stay out: binding red lines and demands, last round."""
    states = tables["states"]
    if states.empty:
        return "No per-round detail was recorded."
    last = states.sort_values("round").groupby(["run", "state"]).tail(1)
    out = last[last["stance"] != "committed"]
    lines = []
    for code in C.states:
        rows = out[out["state"] == code]
        if rows.empty:
            continue
        stance = rows["stance"].value_counts().idxmax()
        red = rows["binding_red_line"].replace("", pd.NA).dropna()
        dem = rows["demand"].replace("", pd.NA).dropna()
        reason = []
        if len(red):
            reason.append(f"red line `{red.value_counts().idxmax()}`")
        if len(dem):
            reason.append(f"demands `{dem.value_counts().idxmax()}`")
        if not reason:
            reason.append(_main_cost(rows))
        share = len(rows) / last["run"].nunique()
        lines.append(
            f"- {C.scenario.states[code].name} ({code}): out in {pct(share)} of detail runs, "
            f"mostly {stance}; " + "; ".join(reason) + "."
        )
    return "\n".join(lines) or "Every state committed in every detail run."


def _main_cost(rows: pd.DataFrame) -> str:
    costs = rows[["distance", "domestic", "risk"]].mean()
    name = costs.idxmin()
    labels = {
        "distance": "distance from its preferred terms",
        "domestic": "domestic opposition",
        "risk": "security risk",
    }
    return f"largest cost: {labels[name]} ({costs[name]:+.2f})"


def render_report(C: Compiled, tables, summary: dict, meta: dict, charts: list[dict]) -> str:
    """The whole report.md."""
    from sim.analysis.story import story

    parts = [
        f"# {C.scenario.title}",
        "",
        scenario_paragraph(C, summary),
        "",
        "## Summary",
        "",
        summary_table(C, summary),
        "",
        "## Why states stay out",
        "",
        why_out(C, tables),
        "",
        f"## The story of a representative run (run {meta['representative_run']})",
        "",
        story(C, tables, meta["representative_run"]),
        "",
        "## Charts",
        "",
    ]
    for chart in charts:
        parts += [
            f"### {chart['title']}",
            "",
            f"![{chart['title']}]({chart['png']})",
            "",
            chart["caption"],
            "",
        ]
    return "\n".join(parts)
