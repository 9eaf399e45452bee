"""Markdown for the explore folders: sweep.md, compare.md, whatif.md."""

from __future__ import annotations

from typing import Any

import pandas as pd

from sim.numbers import force, pct, resolved, runs_to_resolve, share_ci

MAX_ROWS = 60
THRESHOLD = 0.5
"""A state is *in* at P(commit) >= 0.5 (whatif's "brings in", sweep's tipping points)."""


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


def points(d: float) -> str:
    """A change of a share, in percentage points: '+12 pts', '−5 pts'."""
    whole = round(d * 100)
    if whole == 0 and d:
        return "+<1 pt" if d > 0 else "−<1 pt"
    return f"{'+' if whole > 0 else '−' if whole < 0 else '±'}{abs(whole)} pt" + (
        "s" if abs(whole) != 1 else ""
    )


def unresolved(p: float, n: int, threshold: float = THRESHOLD) -> str:
    """'' when `n` runs tell `p` apart from the threshold; else a note saying the
    95% interval straddles it and how many runs would resolve it."""
    if resolved(p, n, threshold):
        return ""
    need = runs_to_resolve(p, threshold)
    more = f"; about {need:,} runs would resolve it" if need else ""
    return f"not resolved at {n} runs (the 95% interval includes {pct(threshold)}{more})"


def unresolved_pair(ps: list[float], n: int, threshold: float = THRESHOLD) -> str:
    """`unresolved` for a claim resting on several shares (a tipping point's two ends)."""
    open_ = [p for p in ps if not resolved(p, n, threshold)]
    if not open_:
        return ""
    needs = [runs_to_resolve(p, threshold) for p in open_]
    more = (
        f"; about {max(needs):,} runs would resolve it" if all(x is not None for x in needs) else ""
    )
    return f"not resolved at {n} runs (a 95% interval includes {pct(threshold)}{more})"


def table(header: list[str], rows: list[list[Any]]) -> str:
    """A pipe table; cells are shown with `show` unless already strings."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        lines.append("| " + " | ".join(c if isinstance(c, str) else show(c) for c in row) + " |")
    return "\n".join(lines)


def charts_md(charts: list[dict]) -> str:
    """Each chart's title, image (the PNG if written, else the SVG) and caption; a
    line saying so when no chart file was written (`--formats none`)."""
    from sim.output.formats import NOT_DRAWN, current_formats, link

    if not current_formats():
        return NOT_DRAWN
    out = []
    for c in charts:
        out += [f"### {c['title']}", "", f"![{c['title']}]({link(c)})", "", c["caption"], ""]
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
            note = unresolved_pair([r["p_from"], r["p_to"]], sw.runs)
            rows.append(
                [
                    f"{names.get(r['state'], r['state'])} ({r['state']})",
                    f"`{r['axis']}`",
                    r["held"] or "—",
                    f"{show(r['from'])} → {show(r['to'])}{at}",
                    f"{share_ci(r['p_from'], sw.runs)} → {share_ci(r['p_to'], sw.runs)}",
                    r["change"] + (f": {note}" if note else ""),
                ]
            )
        lines.append(
            table(["state", "axis", "held", "from → to", "P(commit) (95%)", "change"], rows)
        )
        if len(tipping) > MAX_ROWS:
            lines.append(f"\n({len(tipping) - MAX_ROWS} more rows in `tipping.csv`.)")
        lines += [
            "",
            f"A tipping point is *resolved* when the 95% intervals at both values exclude "
            f"{pct(THRESHOLD)}; one that is not may be noise at {sw.runs} runs per point "
            "(`tipping.csv`: `resolved`, `runs_to_resolve`).",
            "",
        ]
    lines += ["## Points", ""]
    header = [a.label for a in sw.axes] + ["P(formed) (95%)", "expected force", "states in"]
    rows = []
    for r in t.head(MAX_ROWS).to_dict("records"):
        inside = [
            c + ("?" if not resolved(r[f"p_commit.{c}"], sw.runs, THRESHOLD) else "")
            for c in states
            if (r[f"p_commit.{c}"] or 0) >= THRESHOLD
        ]
        rows.append(
            [show(r[a.path]) for a in sw.axes]
            + [
                share_ci(r["p_formed"], sw.runs),
                force(r["expected_force"]),
                ", ".join(inside) or "(none)",
            ]
        )
    lines.append(table(header, rows))
    if len(t) > MAX_ROWS:
        lines.append(f"\n({len(t) - MAX_ROWS} more points in `sweep.csv`.)")
    lines += [
        "",
        f"*states in*: P(commit) ≥ {pct(THRESHOLD)}; a `?` marks a state whose 95% interval "
        f"still includes {pct(THRESHOLD)} at {sw.runs} runs per point.",
        "",
        "## Charts",
        "",
        charts_md(charts),
    ]
    return "\n".join(lines).rstrip() + "\n"


def whatif_markdown(sc, w, frame: pd.DataFrame, runs: int) -> str:
    """whatif.md: the question, the baseline, the search and the changes found."""
    from sim.explore.whatif import claim_text, others_text, veto_text

    name = sc.states[w.state].name
    b = w.base
    lines = [
        f"# What would bring {name} ({w.state}) in?",
        "",
        f"Scenario `{sc.name}` ({sc.title}); {runs} runs per candidate, seed {sc.run.seed} "
        f"for every candidate. *In* means P(commit) ≥ {pct(THRESHOLD)}; in brackets, the 95% "
        "interval over the runs.",
        "",
        f"Baseline: P(commit) {share_ci(b['p_commit'][w.state], runs)}, "
        f"P(formed) {share_ci(b['p_formed'], runs)}.",
        "",
    ]
    if w.already_in:
        note = unresolved(b["p_commit"][w.state], runs)
        lines.append(
            f"{w.state} is already in under this mandate" + (f" ({note})." if note else ".")
        )
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
            else f"None brings {w.state} to {pct(THRESHOLD)}; the largest increases:"
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
                f"{pct(b['p_commit'][w.state])} → {claim_text(r['p_commit'][w.state], runs)}",
                f"{pct(b['p_formed'])} → {share_ci(r['p_formed'], runs)}",
                veto_text(b, r),
                others_text(b, r, w.state),
            ]
        )
    lines.append(
        table(
            [
                "#",
                "change",
                f"P(commit) {w.state} (95%)",
                "P(formed) (95%)",
                "veto players (mean final acceptance)",
                "other states: change in P(commit)",
            ],
            rows,
        )
    )
    lines += [
        "",
        "A change whose interval still includes 50% is marked *not resolved*: at this run "
        "count it may or may not bring the state in; the note says how many runs would tell. "
        "Every column for every state is in `whatif.csv`.",
    ]
    return "\n".join(lines) + "\n"
