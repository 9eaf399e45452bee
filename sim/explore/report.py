"""Markdown for the explore folders: sweep.md, compare.md, whatif.md."""

from __future__ import annotations

from typing import Any

import pandas as pd

MAX_ROWS = 60


def show(v: Any) -> str:
    """A value as it reads in a table cell."""
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, tuple | list):
        if len(v) == 2 and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v):
            return f"[{show(v[0])}, {show(v[1])}]"
        return ", ".join(show(x) for x in v) or "(none)"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.6g}"
    return str(v).replace("|", "\\|")


def pct(p: float | None) -> str:
    return "—" if p is None else f"{100 * p:.0f}%"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A pipe table; cells are shown with `show` unless already strings."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(c if isinstance(c, str) else show(c) for c in row) + " |")
    return "\n".join(lines)


def charts_md(charts: list[dict]) -> str:
    out = []
    for c in charts:
        out += [f"### {c['title']}", "", f"![{c['title']}]({c['png']})", "", c["caption"], ""]
    return "\n".join(out)


def sweep_markdown(sw, result, tipping: pd.DataFrame | None, charts: list[dict]) -> str:
    """The sweep's report: axes, tipping points, the points, the charts."""
    t = result.table
    states = list(sw.base.states)
    names = {c: s.name for c, s in sw.base.states.items()}
    lines = [
        f"# Sweep: {sw.title}",
        "",
        f"Base scenario `{sw.base_file}`: {sw.base.title}.",
        f"Design **{sw.design}**, {len(sw.points)} points, {sw.runs} runs per point, seed "
        f"{sw.seed} for every point (common random numbers: points differ by their terms, "
        "not by their draws).",
        f"Computed in this run: {result.computed} points; taken from the cache: {result.cached}.",
        "",
        "## Axes",
        "",
        table(
            ["axis", "path", "values"],
            [[a.label, f"`{a.path}`", show(a.values)] for a in sw.axes],
        ),
        "",
        "## Tipping points",
        "",
    ]
    if tipping is None:
        lines += [
            "Tipping points are read along the lines of a grid; this sweep is a Latin "
            "hypercube sample, so none are listed (P(commit) per state is in `sweep.csv`).",
            "",
        ]
    elif tipping.empty:
        lines += ["No state's P(commit) crosses 0.5 between neighbouring values of any axis.", ""]
    else:
        lines += [
            "Where a state's P(commit) crosses 0.5 between two neighbouring values of an "
            "axis, the other axes held fixed (`held`). *joins*: at or above 0.5 at the "
            "second value; *leaves*: below it. Full table: `tipping.csv`.",
            "",
        ]
        rows = []
        for r in tipping.head(MAX_ROWS).to_dict("records"):
            a = r["at"]
            at = (
                ""
                if a is None or a != a
                else f" (≈ {a:,.0f})"
                if abs(a) >= 100
                else f" (≈ {a:.2f})"
            )
            rows.append(
                [
                    f"{names.get(r['state'], r['state'])} ({r['state']})",
                    f"`{r['axis']}`",
                    r["held"] or "—",
                    f"{show(r['from'])} → {show(r['to'])}{at}",
                    f"{r['p_from']:.2f} → {r['p_to']:.2f}",
                    r["change"],
                ]
            )
        lines.append(table(["state", "axis", "held", "from → to", "P(commit)", "change"], rows))
        if len(tipping) > MAX_ROWS:
            lines.append(f"\n({len(tipping) - MAX_ROWS} more rows in `tipping.csv`.)")
        lines.append("")
    lines += ["## Points", ""]
    header = [a.label for a in sw.axes] + ["P(formed) [95%]", "expected force", "states in"]
    rows = []
    for r in t.head(MAX_ROWS).to_dict("records"):
        inside = [c for c in states if (r[f"p_commit.{c}"] or 0) >= 0.5]
        rows.append(
            [show(r[a.path]) for a in sw.axes]
            + [
                f"{r['p_formed']:.2f} [{r['p_formed_lo']:.2f}, {r['p_formed_hi']:.2f}]",
                show(r["expected_force"]),
                ", ".join(inside) or "(none)",
            ]
        )
    lines.append(table(header, rows))
    if len(t) > MAX_ROWS:
        lines.append(f"\n({len(t) - MAX_ROWS} more points in `sweep.csv`.)")
    lines += ["", "*states in*: P(commit) ≥ 0.5.", "", "## Charts", "", charts_md(charts)]
    return "\n".join(lines).rstrip() + "\n"


def whatif_markdown(sc, w, frame: pd.DataFrame, runs: int) -> str:
    """whatif.md: the question, the baseline, the search and the changes found."""
    from sim.explore.whatif import others_text, veto_text

    name = sc.states[w.state].name
    b = w.base
    lines = [
        f"# What would bring {name} ({w.state}) in?",
        "",
        f"Scenario `{sc.name}` ({sc.title}); {runs} runs per candidate, seed {sc.run.seed} "
        "for every candidate. *In* means P(commit) ≥ 0.5.",
        "",
        f"Baseline: P(commit) {b['p_commit'][w.state]:.2f}, P(formed) {b['p_formed']:.2f}.",
        "",
    ]
    if w.already_in:
        lines.append(f"{w.state} is already in under this mandate.")
        return "\n".join(lines) + "\n"
    lines.append(
        f"Searched {w.tried_single} single changes"
        + (
            f", then {w.tried_pairs} pairs of changes from a pool of {len(w.pool)}"
            if w.tried_pairs
            else ""
        )
        + ". "
        + (
            f"The smallest changes that bring {w.state} in:"
            if w.brings_in
            else f"None brings {w.state} to 0.5; the largest increases:"
        )
    )
    lines.append("")
    rows = []
    for rank, c in enumerate(w.found, 1):
        r = c.result
        rows.append(
            [
                str(rank),
                c.text(),
                f"{b['p_commit'][w.state]:.2f} → {r['p_commit'][w.state]:.2f}",
                f"{b['p_formed']:.2f} → {r['p_formed']:.2f}",
                veto_text(b, r),
                others_text(b, r, w.state),
            ]
        )
    lines.append(
        table(
            [
                "#",
                "change",
                f"P(commit) {w.state}",
                "P(formed)",
                "veto players (mean final acceptance)",
                "other states: change in P(commit)",
            ],
            rows,
        )
    )
    lines += ["", "Every column for every state is in `whatif.csv`."]
    return "\n".join(lines) + "\n"
