"""The boxes of `forcegen discover` in words and as tables (discover.md, boxes.csv).

Every share a reader sees is written by `sim.numbers` and carries its 95%
Wilson interval where it is a box's density, so a box is never read as surer
than its run count makes it.
"""

from __future__ import annotations

import math

import pandas as pd

from sim.numbers import pct, pct_range, share_ci, wilson
from sim.study import prim
from sim.study.discover import ALPHA, COMMIT, MASS_MIN, QP, SHUFFLES, VERBS, Found
from sim.study.report import chart_line


def value(v: float) -> str:
    """A limit as a reader sees it: three significant digits, thousands separated."""
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def condition(col: str, lim: prim.Limit) -> str:
    """'veto_players.ISR.base ≤ 0.42', '0.2 ≤ x ≤ 0.6', 'mandate.zone is north or south'."""
    if isinstance(lim, frozenset):
        return f"{col} is {' or '.join(sorted(map(str, lim)))}"
    low, high = lim
    if math.isinf(low):
        return f"{col} ≤ {value(high)}"
    if math.isinf(high):
        return f"{col} ≥ {value(low)}"
    return f"{value(low)} ≤ {col} ≤ {value(high)}"


def verb(outcome: str) -> str:
    """'the force stalls', 'IDN commits'."""
    if outcome.startswith(COMMIT):
        return f"{outcome[len(COMMIT) :]} commits"
    return VERBS[outcome]


def base_line(f: Found, outcome: str) -> str:
    """The base rate the boxes are measured against."""
    return f"In all {f.total_runs:,} runs {verb(outcome)} in {share_ci(f.base_rate, f.total_runs)}."


def _among(f: Found) -> str:
    return "runs" if f.number == 1 else f"the {f.searched:,} runs outside the boxes before it"


def sentence(f: Found, outcome: str) -> str:
    """One box in words: density with its interval, the limits, mass and coverage."""
    k = f.kept
    if not k.limits:
        p = f.peeled
        return (
            f"Box {f.number}: no range found. Peeling reached {pct(p.density)} with "
            f"{len(p.limits)} limits (coverage {pct(f.coverage(p))}), but none passes the "
            f"qp test (p < {QP}); peeling shuffled outcomes reaches {pct(f.chance)} at that "
            "coverage."
        )
    conds = " and ".join(condition(c, lim) for c, lim in k.limits.items())
    lo, hi = f.interval(k)
    below = "" if f.meets else f" (below the {pct(f.threshold)} threshold)"
    return (
        f"Box {f.number}: {verb(outcome)} in {pct(k.density)} of {_among(f)} "
        f"(95%: {pct_range(lo, hi)}){below} when {conds}, which hold in {pct(k.mass)} of "
        f"{_among(f)} (coverage {pct(f.coverage(k))})."
    )


def resolution(f: Found) -> str:
    """Whether the kept box's interval is clear of the base rate's, and if not, what would be."""
    k = f.kept
    if not k.limits:
        return ""
    if f.resolved(k):
        return f"Resolved at {f.searched:,} runs: its 95% interval is clear of the base rate's."
    need = f.runs_to_resolve(k)
    more = f"; about {need:,} runs would resolve it, the shares as estimated here" if need else ""
    return f"Not resolved at {f.searched:,} runs: its 95% interval overlaps the base rate's{more}."


def chance_line(f: Found) -> str:
    """What peeling reaches on shuffled outcomes, against the box peeling chose."""
    p = f.peeled
    return (
        f"Peeling chose a box of {len(p.limits)} limits, density {pct(p.density)} at coverage "
        f"{pct(f.coverage(p))}; on the same runs with the outcome shuffled, peeling reaches "
        f"{pct(f.chance)} at that coverage (median of {SHUFFLES} shuffles)."
    )


def summary_lines(found: list[Found], outcome: str) -> list[str]:
    """What the command prints: the base rate, then each box in words."""
    return [base_line(found[0], outcome), *(sentence(f, outcome) for f in found)]


def marks(found: list[Found]) -> list[dict]:
    """The chosen boxes for the chart: as peeled and, when it has limits, as kept."""
    out = []
    for f in found:
        if not f.kept.limits:
            out.append({"box": f.number, "stage": "none", "coverage": None, "density": None})
        for stage, box in (("peeled", f.peeled), ("kept", f.kept)):
            if box.limits:
                out.append(
                    {
                        "box": f.number,
                        "stage": stage,
                        "coverage": f.coverage(box),
                        "density": box.density,
                    }
                )
    return out


# ---------------------------------------------------------------- boxes.csv


def boxes_table(found: list[Found], x: pd.DataFrame) -> pd.DataFrame:
    """boxes.csv: one row per box, stage (peeled, kept) and limited parameter."""
    rows = []
    for f in found:
        for stage, box, qp in (("peeled", f.peeled, f.peeled_qp), ("kept", f.kept, f.qp)):
            stats = _stats(f, box)
            for col, lim in box.limits.items() or [("", None)]:
                limit = _limit_columns(col, lim, x, qp.get(col))
                rows.append({"box": f.number, "stage": stage, **limit, **stats})
    return pd.DataFrame(rows).astype({"runs_to_resolve": "Int64"})


def _stats(f: Found, box: prim.Box) -> dict:
    lo, hi = f.interval(box)
    blo, bhi = wilson(f.base_rate, f.searched)
    limited = bool(box.limits)
    return {
        "runs": box.runs,
        "hits": box.hits,
        "density": round(box.density, 6),
        "density_lo": round(lo, 6),
        "density_hi": round(hi, 6),
        "coverage": round(f.coverage(box), 6),
        "mass": round(box.runs / f.total_runs, 6),
        "searched_runs": f.searched,
        "base_rate": round(f.base_rate, 6),
        "base_lo": round(blo, 6),
        "base_hi": round(bhi, 6),
        "chance_density": round(f.chance, 6),
        "meets_threshold": limited and box.density >= f.threshold,
        "resolved": limited and f.resolved(box),
        "runs_to_resolve": f.runs_to_resolve(box) if limited and not f.resolved(box) else None,
    }


def _limit_columns(col: str, lim: prim.Limit | None, x: pd.DataFrame, qp: float | None) -> dict:
    row = {"parameter": col, "low": None, "high": None, "categories": None}
    row |= {"data_low": None, "data_high": None, "qp_value": qp}
    if isinstance(lim, frozenset):
        row["categories"] = ";".join(sorted(map(str, lim)))
    elif lim is not None:
        row["low"] = None if math.isinf(lim[0]) else lim[0]
        row["high"] = None if math.isinf(lim[1]) else lim[1]
        row["data_low"], row["data_high"] = float(x[col].min()), float(x[col].max())
    return row


# ---------------------------------------------------------------- discover.md


def markdown(found: list[Found], x: pd.DataFrame, info: dict) -> str:
    """discover.md: what was asked, the boxes in words and as tables, the trade-off chart."""
    outcome = info["outcome"]
    lines = [
        f"# Discovery: when {verb(outcome)}",
        "",
        f"{info['title']} (scenario `{info['scenario']}`), {info['source']}. "
        f"Outcome `{outcome}`. {base_line(found[0], outcome)}",
        "",
        f"PRIM (Friedman & Fisher 1999) over the {x.shape[1]} drawn parameters that vary "
        f"between runs: each step peels {pct(ALPHA)} of a box's runs, down to boxes of "
        f"{pct(MASS_MIN)} of all runs. The box chosen is the one of largest coverage whose "
        f"density reaches {pct(info['threshold'])}; then limits with a qp-value of {QP} or "
        "more are dropped (`boxes.csv` lists both stages). Boxes are found and measured on "
        "the same runs, so a density is in-sample; the density peeling reaches on shuffled "
        "outcomes is the one a box must beat.",
        "",
    ]
    for f in found:
        lines += _box_section(f, outcome, x)
    lines += [
        "## Coverage and density along the peeling",
        "",
        chart_line("Coverage against density along the peeling", "charts/tradeoff"),
        "",
    ]
    return "\n".join(lines)


def _box_section(f: Found, outcome: str, x: pd.DataFrame) -> list[str]:
    out = [f"## Box {f.number}", "", sentence(f, outcome), ""]
    if f.kept.limits:
        out += [
            resolution(f),
            "",
            "| parameter | kept | in the runs | qp-value |",
            "|---|---|---|---|",
        ]
        out += [_limit_row(c, lim, f.qp[c], x) for c, lim in f.kept.limits.items()]
        out += ["", chance_line(f), ""]
    return out


def _limit_row(col: str, lim: prim.Limit, qp: float, x: pd.DataFrame) -> str:
    """A kept limit beside the range the runs drew, and its qp-value."""
    if isinstance(lim, frozenset):
        drawn = ", ".join(sorted(map(str, x[col].unique())))
    else:
        drawn = f"{value(x[col].min())} to {value(x[col].max())}"
    return f"| `{col}` | {condition('x', lim)} | {drawn} | {qp:.2g} |"
