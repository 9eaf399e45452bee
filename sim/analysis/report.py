"""report.md: the scenario in a paragraph, the summary, and every chart with a sentence.

Every share, force and amount of money is written with `sim.numbers`, so it
reads the same here, on the console and on the charts; shares carry their 95%
Wilson interval where the run count makes it matter.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis import words as wd
from sim.numbers import force, pct, share_ci
from sim.scenario.arrays import Compiled

COST_NOISE = 0.005
"""A mean payoff component closer to zero than this rounds to +0.00: not a cost."""


def mandate_words(C: Compiled, terms: dict, skip: tuple[str, ...] = ()) -> str:
    """A mandate's terms as a readable list ("Use of force: enforcement; ...")."""
    parts = []
    for term, value in terms.items():
        if term in skip:
            continue
        label = wd.term_label(C, term)
        if isinstance(value, list):
            shown = ", ".join(wd.level(C, v) for v in value) or "none"
        elif isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, int | float):
            shown = f"{value:g}"
        else:
            shown = wd.level(C, value)
        parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def mandate_text(C: Compiled) -> str:
    """The scenario's mandate as a readable list."""
    return mandate_words(C, C.scenario.mandate)


def scenario_paragraph(C: Compiled, summary: dict) -> str:
    """The scenario in a paragraph: what is being tested and how often."""
    sc = C.scenario
    b = sc.broker
    counted = wd.join([wd.kind(C, k) for k in sc.force.counts])
    existing = sc.force.in_theatre
    already = f", {force(existing)} already in theatre count from the start" if existing else ""
    return (
        f"{sc.description.strip()}\n\n"
        f"**Mandate.** {mandate_text(C)}.\n\n"
        f"**Set-up.** {len(sc.states)} contributor states; broker {b.name} seeks "
        f"{force_range(b.target)} ({counted} count toward it{already}), accepts at least "
        f"{force_range(b.minimum_viable)} at the deadline of {b.deadline} weeks; "
        f"veto players: {', '.join(v.name for v in sc.veto_players.values()) or 'none'}; "
        f"{summary['runs']} runs from seed {sc.run.seed}."
    )


def force_range(v) -> str:
    if isinstance(v, tuple):
        return f"{force(v[0])}–{force(v[1])}"
    return force(v)


def spread_text(f: dict | None) -> str:
    """'11,350 (5–95%: 8,000–13,260)' for a {median, p05, p95} mapping."""
    if not f or f.get("median") is None:
        return "n/a"
    return f"{force(f['median'])} (5–95%: {force(f['p05'])}–{force(f['p95'])})"


def stalled_words(detail: dict, veto_names: dict[str, str]) -> str:
    """Why runs stalled, from a `stalled_detail` mapping (shares of all runs):
    'short of the minimum viable force in 52% of runs; enough pledged but the
    mandate rejected by Israel in 10%'. Empty when no run stalled."""
    parts = []
    short, rejected = detail.get("short_of_minimum") or 0.0, detail.get("mandate_rejected") or 0.0
    if short:
        parts.append(f"short of the minimum viable force in {pct(short)} of runs")
    if rejected:
        by = [veto_names.get(v, v) for v, p in detail.get("rejected_by", {}).items() if p]
        who = f" by {wd.join(by)}" if by else ""
        parts.append(f"enough pledged but the mandate rejected{who} in {pct(rejected)} of runs")
    return "; ".join(parts)


def outcome_rows(C: Compiled, summary: dict) -> list[tuple[str, str]]:
    """(measure, value) rows of the summary, shared by report.md and the console.

    The counted force is summarised apart for the runs that formed and the runs
    that stalled: one median over both groups (0 beside P(formed) 48%) reads as
    nonsense.
    """
    n = summary["runs"]
    o, r, d = summary["outcome"], summary["rounds_to_form"], summary["stalled_detail"]
    vetoes = {v: C.scenario.veto_players[v].name for v in C.veto_ids}
    rows = [
        ("P(formed): the force reached its target", share_ci(o["formed"], n)),
        ("P(undersized): formed below the target at the deadline", share_ci(o["undersized"], n)),
        ("P(stalled): no deployable force by the deadline", share_ci(o["stalled"], n)),
    ]
    if o["stalled"]:
        rows.append(("… short of the minimum viable force", pct(d["short_of_minimum"])))
        by = [vetoes[v] for v, p in d.get("rejected_by", {}).items() if p and v in vetoes]
        who = f" (by {wd.join(by)})" if by and d["mandate_rejected"] else ""
        rows.append(
            (f"… enough pledged, but the mandate rejected{who}", pct(d["mandate_rejected"]))
        )
    formed, stalled = summary.get("force_formed"), summary.get("force_stalled")
    if formed is not None:
        k = formed["runs"]
        rows.append(
            (
                f"counted force where a force formed ({k} run{'s' if k != 1 else ''})",
                spread_text(formed) if k else "no run formed",
            )
        )
    if stalled is not None and stalled["runs"]:
        k = stalled["runs"]
        rows.append(
            (
                f"counted force pledged where it stalled ({k} run{'s' if k != 1 else ''})",
                spread_text(stalled),
            )
        )
    if formed is None:
        rows.append(("counted force, all runs", spread_text(summary["force"])))
    rows.append(
        (
            "weeks to form, median",
            "n/a (never formed)" if r["median"] is None else f"{r['median']:.0f}",
        )
    )
    return rows + deployment_rows(summary)


def deployment_rows(summary: dict) -> list[tuple[str, str]]:
    """Formed is not deployed: P(deployed) by the end of the watch, when, and how
    strong (rows only where the scenario has a deployment stage); how often a
    contingent withdrew or was suspended (only where shocks act)."""
    d = summary.get("deployment")
    if not d or not d["staged"]:
        return []
    n, H = summary["runs"], d["weeks_watched"]
    week, size = d["week_deployed"], d["deployed_force"]
    rows = [
        (
            f"P(deployed): first contingents in theatre by week {H}",
            share_ci(d["p_deployed"], n),
        ),
        ("… formed, but nothing in theatre by then", pct(d["p_formed_not_deployed"])),
    ]
    if week["runs"]:
        rows.append(
            (
                "week the first contingents arrived (median, 5–95%)",
                f"{week['median']:.0f} ({week['p05']:.0f}–{week['p95']:.0f})",
            )
        )
        rows.append((f"deployed strength in week {H}, where deployed", spread_text(size)))
    if d.get("shocks"):
        rows.append(
            (f"P(withdrawn): a contingent withdrew by week {H}", share_ci(d["p_withdrawn"], n))
        )
        rows.append(("… a contingent suspended for a while", pct(d["p_suspended"])))
    return rows


def packaged(st: dict) -> bool:
    """The state brought package parts (`sim.rules.packages`): its P(commit) by kind
    counts a run once per kind, so the kinds add up to more than its P(commit)."""
    return sum(st["p_commit_by_kind"].values()) > st["p_commit"] + 1e-9


def kind_parts(C: Compiled, st: dict) -> str:
    """P(commit) by kind, 'troops 1%, police trainers 3%'; when the parts, each rounded
    on its own, do not add up to the rounded total, says so."""
    parts = [(k, p) for k, p in st["p_commit_by_kind"].items() if p]
    if not parts:
        return "—"
    text = ", ".join(f"{wd.kind(C, k)} {pct(p)}" for k, p in parts)
    if packaged(st):
        text += " (a package counts in each kind it brings: the kinds add up to more)"
    elif len(parts) > 1 and not adds_up([p for _, p in parts], st["p_commit"]):
        text += " (each rounded on its own: they need not add up to the total)"
    return text


def adds_up(parts: list[float], total: float) -> bool:
    """Whether the parts as shown (whole percents) add up to the total as shown."""
    shown = [pct(p) for p in [*parts, total]]
    if any(not x[:1].isdigit() for x in shown):  # '<1%' / '>99%' cannot be added
        return False
    nums = [int(x.rstrip("%")) for x in shown]
    return sum(nums[:-1]) == nums[-1]


def summary_table(C: Compiled, summary: dict) -> str:
    """Outcome, force size, time to form, and the states most likely to commit."""
    n = summary["runs"]
    lines = ["| measure | value |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in outcome_rows(C, summary)]
    lines += [
        "",
        f"Shares are of {n} runs; in brackets, the 95% (Wilson) interval: the range the share "
        "would likely fall in with many more runs.",
    ]
    lines += ["", "| state | P(commit) (95% interval) | by kind |", "|---|---|---|"]
    ranked = sorted(summary["states"].items(), key=lambda kv: (-kv[1]["p_commit"], kv[0]))
    for code, st in ranked:
        lines.append(
            f"| {st['name']} ({code}) | {share_ci(st['p_commit'], n)} | {kind_parts(C, st)} |"
        )
    return "\n".join(lines)


def why_out(C: Compiled, tables: dict[str, pd.DataFrame]) -> str:
    """Why the states that stay out stay out: binding red lines and demands, last week."""
    states = tables["states"]
    if states.empty:
        return "No per-week detail was recorded."
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
            reason.append(f"red line: {wd.red_line(C, red.value_counts().idxmax())}")
        if len(dem):
            reason.append(f"demands: {wd.concession(C, dem.value_counts().idxmax()).lower()}")
        if not reason:
            reason.append(payoff_short(C, rows, stance))
        share = len(rows) / last["run"].nunique()
        lines.append(
            f"- {C.scenario.states[code].name} ({code}): out in {pct(share)} of detail runs, "
            f"mostly {stance}; " + "; ".join(reason) + "."
        )
    return "\n".join(lines) or "Every state committed in every detail run."


COST_LABELS = {
    "distance": "distance from its preferred terms",
    "domestic": "domestic opposition",
    "risk": "security risk",
}


def main_cost(rows: pd.DataFrame) -> str | None:
    """The largest cost among the payoff components, if any is a cost at all.

    A cost is a mean component below zero beyond rounding (-0.005); a component
    that rounds to ±0.00 holds nothing back and is not named (None).
    """
    costs = rows[list(COST_LABELS)].astype(float).mean()
    name = costs.idxmin()
    if not costs[name] < -COST_NOISE:
        return None
    return f"largest cost: {COST_LABELS[name]} ({costs[name]:+.2f})"


def payoff_short(C: Compiled, rows: pd.DataFrame, stance: str) -> str:
    """No red line and no demand: its payoff is below the next rung, and its largest cost."""
    th = C.scenario.decision.thresholds
    rung = {"declined": "conditional", "considering": "conditional"}.get(stance, "offered")
    if stance == "offered":
        rung = "committed"
    text = (
        f"payoff {rows['payoff'].astype(float).mean():+.2f} on average, below the {rung} "
        f"level ({getattr(th, rung):+.2f})"
    )
    cost = main_cost(rows)
    return f"{text}; {cost}" if cost else text


def report_head(C: Compiled, tables, summary: dict, meta: dict) -> str:
    """report.md up to its charts' section, which it heads; the whole report is this and
    `charts_section`. It reads only the tables, so a command makes it while the charts
    are drawn (`sim.output.write`)."""
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
    return "\n".join(parts)


def charts_section(charts: list[dict]) -> str:
    """The charts' section below `report_head`: each chart's title, image and caption."""
    return "".join(
        "\n" + "\n".join([f"### {c['title']}", "", f"![{c['title']}]({c['png']})", "",
                           c["caption"], ""])
        for c in charts
    )  # fmt: skip
