"""Ablation: what the flagship result rests on (issue 10).

    .venv/bin/python bench/ablation.py                      # 1,000 runs per variant
    .venv/bin/python bench/ablation.py --runs 200 --out ablation.md

Runs the flagship scenario (`scenarios/isf/res2803.yaml`) as written, then

1. with each mechanism switch that is on in the scenario (`run.mechanisms`)
   turned off in turn;
2. with each large contributor's capacity halved in turn: a state is large when
   its largest offer of a kind that counts toward the target (`force.counts`) is
   at least 10% of the broker's target (midpoints of ranges); every counted-kind
   offer of that state is halved (both ends of a range), other kinds untouched.

Every variant runs the scenario's own seed, so the variants take the same random
draws run by run and differ only by the change made. The table gives P(formed)
(the force reached its target, as in the report) and P(deployed) (first
contingents in theatre by the end of the watch; a force formed undersized at the
deadline may deploy too), each with its 95% Wilson interval, and the change from
the baseline in percentage points, and the share of runs formed undersized at
the deadline (at least the minimum viable force, short of the target). Variants are built as `forcegen sweep` and
`forcegen whatif` build theirs (`sim.explore.paths.apply`: a changed copy of
the resolved scenario, validated again).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread, as the command line sets

import sim  # noqa: E402
from sim.explore import paths  # noqa: E402
from sim.explore.report import points  # noqa: E402
from sim.numbers import pct, share_ci, wilson  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "scenarios" / "isf" / "res2803.yaml"
LARGE = 0.10
"""A contributor is large when its largest counted offer is at least this share of the target."""


@dataclass(frozen=True)
class Variant:
    """One scenario variant: a short name, what was changed, and the scenario."""

    name: str
    label: str
    scenario: Scenario


@dataclass(frozen=True)
class Row:
    """The outcome of one variant over `runs` runs."""

    variant: Variant
    runs: int
    p_formed: float
    p_undersized: float
    p_deployed: float

    @property
    def formed_ci(self) -> tuple[float, float]:
        return wilson(self.p_formed, self.runs)

    @property
    def deployed_ci(self) -> tuple[float, float]:
        return wilson(self.p_deployed, self.runs)


def midpoint(value: float | tuple[float, float]) -> float:
    """A fixed number, or the middle of a judgement range."""
    if isinstance(value, tuple | list):
        return (float(value[0]) + float(value[1])) / 2
    return float(value)


def halve(value: float | tuple[float, float]) -> float | tuple[float, float]:
    """Half a number, or both ends of a range halved."""
    if isinstance(value, tuple | list):
        return (float(value[0]) / 2, float(value[1]) / 2)
    return float(value) / 2


def switches_on(sc: Scenario) -> list[str]:
    """The mechanism switches that are on in the scenario, in the schema's order."""
    return [name for name, on in sc.run.mechanisms.model_dump().items() if on is True]


def switched_off(sc: Scenario, name: str) -> Scenario:
    """The scenario with one mechanism switch turned off."""
    return paths.apply(sc, {f"run.mechanisms.{name}": False}, sc.name)


def large_contributors(sc: Scenario, share: float = LARGE) -> list[str]:
    """States whose largest offer of a counted kind is at least `share` of the target
    (midpoints of ranges), in file order."""
    target = midpoint(sc.broker.target)
    out = []
    for code, st in sc.states.items():
        counted = [midpoint(v) for k, v in st.offers.items() if k in sc.force.counts]
        if counted and max(counted) >= share * target:
            out.append(code)
    return out


def halved(sc: Scenario, code: str) -> Scenario:
    """The scenario with every counted-kind offer of one state halved, and its offer on
    the record (`initial_offer`) of those kinds with it: a stated offer is at most the
    offer (IDN's 20,000 on the record would otherwise stand above a capacity of 10,000)."""
    st = sc.states[code]
    values = {
        f"states.{code}.{field}.{kind}": halve(value)
        for field, amounts in (("offers", st.offers), ("initial_offer", st.initial_offer or {}))
        for kind, value in amounts.items()
        if kind in sc.force.counts
    }
    return paths.apply(sc, values, sc.name)


def capacity_text(sc: Scenario, code: str) -> str:
    """'troops 2,000–5,000' for a state's counted offers."""

    def amount(v: float | tuple[float, float]) -> str:
        if isinstance(v, tuple | list):
            return f"{v[0]:,.0f}–{v[1]:,.0f}"
        return f"{v:,.0f}"

    offers = sc.states[code].offers
    return ", ".join(
        f"{kind.replace('_', ' ')} {amount(v)}"
        for kind, v in offers.items()
        if kind in sc.force.counts
    )


def variants(sc: Scenario) -> list[Variant]:
    """The baseline, each switch off in turn, each large contributor halved in turn."""
    out = [Variant("baseline", "as written (baseline)", sc)]
    for name in switches_on(sc):
        label = f"mechanism off: `{name}`"
        out.append(Variant(f"no_{name}", label, switched_off(sc, name)))
    for code in large_contributors(sc):
        label = f"{code} capacity halved ({capacity_text(sc, code)} → half)"
        out.append(Variant(f"half_{code}", label, halved(sc, code)))
    return out


def measure(variant: Variant, runs: int, seed: int) -> Row:
    """P(formed), P(undersized) and P(deployed) of one variant (the summary's numbers)."""
    summary = sim.run(variant.scenario, runs=runs, seed=seed, detail_runs=1).summary
    return Row(
        variant,
        summary["runs"],
        summary["outcome"]["formed"],
        summary["outcome"]["undersized"],
        summary["deployment"]["p_deployed"],
    )


def ablation(scenario: str | Path | Scenario = FLAGSHIP, runs: int = 1000) -> list[Row]:
    """Every variant of the scenario, run `runs` times under the scenario's seed."""
    sc = scenario if isinstance(scenario, Scenario) else sim.load(scenario)
    return [measure(v, runs, sc.run.seed) for v in variants(sc)]


def table(rows: list[Row]) -> str:
    """The Markdown table: one row per variant, the first the baseline."""
    base = rows[0]
    lines = [
        "| scenario variant | P(formed) (95%) | P(deployed) (95%) "
        "| change vs baseline, formed | change vs baseline, deployed | P(formed undersized) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        if row is base:
            dformed = ddeployed = "—"
        else:
            dformed = points(row.p_formed - base.p_formed)
            ddeployed = points(row.p_deployed - base.p_deployed)
        lines.append(
            f"| {row.variant.label} | {share_ci(row.p_formed, row.runs)} "
            f"| {share_ci(row.p_deployed, row.runs)} | {dformed} | {ddeployed} "
            f"| {pct(row.p_undersized)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=1000, help="runs per variant (default 1,000)")
    ap.add_argument("--out", type=Path, help="also write the table to this file")
    ap.add_argument("--scenario", type=Path, default=FLAGSHIP, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    sc = sim.load(args.scenario)
    start = time.perf_counter()
    rows = ablation(sc, args.runs)
    took = time.perf_counter() - start
    head = (
        f"{sc.name}: {len(rows)} variants × {args.runs:,} runs, seed {sc.run.seed} "
        f"(the scenario's; every variant takes the same draws)\n\n"
    )
    text = head + table(rows)
    print(text, end="", flush=True)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(f"({took:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
