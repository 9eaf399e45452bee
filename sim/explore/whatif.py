"""What would bring a state in: the smallest mandate changes from the vocabulary.

The search (see docs/explore.md):

1. **Single changes.** Every change of one clause of the mandate the
   vocabulary allows: another level of an ordinal or categorical term, the
   other value of a boolean, adding or removing one task of a task set. Number
   terms (clarity) are left out: they are the state of the negotiation, not a
   clause to trade. The scenario with the change is run (fast engine, the same
   seed for every candidate, so candidates differ only by their terms).
2. **Pairs,** only if no single change brings the state in (P(commit) ≥ 0.5).
   Pairs are drawn from a pool of promising single changes: the three that meet
   the most of the state's violated red lines (checked on the mandate with the
   rule's own predicate), and the `pool` (6) changes that
   raise its mean final payoff, then its P(commit), the most. Two changes of
   the same clause are never paired. At most 36 pairs are run.
3. **Ranking.** Changes that bring the state in, smallest first: fewer
   clauses, then fewer ordinal steps, then fewer veto players flipped to
   rejection, then the smaller loss of veto acceptance, then the higher
   P(commit). If none brings it in, the changes that raise its P(commit) most.

Each change carries its cost: for each veto player, the mean final acceptance
with and without it and whether that mean falls below the threshold (flips to
rejection); for every other state, the change in P(commit); and P(formed).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.explore import batched, paths
from sim.limits import MAX_TOTAL_RUNS as MAX_RUNS  # the most runs a search may cost
from sim.parallel import Serial
from sim.rules import red_lines
from sim.scenario.arrays import REQUIRES, compile_scenario
from sim.scenario.errors import ScenarioError, unknown
from sim.scenario.loader import override
from sim.scenario.schema import Scenario

IN = 0.5
LIFTERS = 3
"""At most this many red-line lifting changes enter the pair pool."""
DETAIL = 30
"""Runs whose per-round detail is kept, to read the state's final payoff."""
POOL = 6
"""Changes that raise the state's payoff the most, in the pair pool (besides LIFTERS)."""
MAX_SINGLES = 500
"""The most single changes a search runs (the flagship's vocabulary allows 24)."""


def check_cost(sc: Scenario, runs: int, pool: int = POOL, file: str = "") -> int:
    """Refuse, in one line and before anything runs, a search whose candidates or runs
    exceed MAX_SINGLES or MAX_RUNS; return its single changes."""
    singles = len(vocabulary_changes(sc))
    if singles > MAX_SINGLES:
        raise ScenarioError(
            f"the mandate's vocabulary allows {singles:,} single changes; a what-if "
            f"searches at most {MAX_SINGLES:,}",
            "mandate",
            file,
        )
    pairs = math.comb(pool + LIFTERS, 2)
    cost = (1 + singles + pairs) * runs
    if cost > MAX_RUNS:
        raise ScenarioError(
            f"{1 + singles:,} candidates and up to {pairs} pairs at {runs:,} runs each "
            f"cost up to {cost:,} runs; at most {MAX_RUNS:,}",
            "--runs",
            file,
        )
    return singles


@dataclass(frozen=True)
class Change:
    """One clause of the mandate set to another value the vocabulary allows."""

    term: str
    path: str
    old: Any
    new: Any
    steps: int = 1

    def text(self) -> str:
        if self.path.count(".") == 2:
            task = self.path.rsplit(".", 1)[1]
            return f"{'add' if self.new else 'remove'} task {task}"
        return f"{self.term}: {_v(self.old)} → {_v(self.new)}"


def _v(x: Any) -> str:
    return str(x).lower() if isinstance(x, bool) else str(x)


@dataclass
class Candidate:
    """A set of changes and what the ensemble gave with them."""

    changes: tuple[Change, ...]
    result: dict[str, Any]

    @property
    def size(self) -> tuple[int, int]:
        return (len(self.changes), sum(c.steps for c in self.changes))

    def text(self) -> str:
        return " + ".join(c.text() for c in self.changes)


@dataclass
class WhatIf:
    """The answer: the baseline, the changes found, and how the search went."""

    state: str
    base: dict[str, Any]
    found: list[Candidate]
    brings_in: bool
    already_in: bool
    tried_single: int
    tried_pairs: int
    pool: list[Change] = field(default_factory=list)


def vocabulary_changes(sc: Scenario) -> list[Change]:
    """Every single-clause change of the mandate that the vocabulary allows."""
    out = []
    for term, spec in sc.vocabulary.items():
        if spec.kind == "number":
            continue
        current = sc.mandate[term]
        path = f"mandate.{term}"
        if spec.kind in ("ordinal", "categorical"):
            here = spec.levels.index(current)
            for i, level in enumerate(spec.levels):
                if level != current:
                    steps = abs(i - here) if spec.kind == "ordinal" else 1
                    out.append(Change(term, path, current, level, steps))
        elif spec.kind == "boolean":
            out.append(Change(term, path, current, not current))
        else:
            for task in spec.levels:
                carried = task in current
                out.append(Change(term, f"{path}.{task}", carried, not carried))
    return out


def _apply(sc: Scenario, changes: tuple[Change, ...]) -> Scenario:
    return paths.apply(sc, {c.path: c.new for c in changes})


def veto_cost(base: dict, r: dict) -> tuple[int, float]:
    """(veto players flipped to rejection, total fall in mean final acceptance)."""
    flips, loss = 0, 0.0
    for v, a in r["acceptance"].items():
        a0, thr = base["acceptance"][v], base["thresholds"][v]
        flips += int(a0 >= thr > a)
        loss += max(0.0, a0 - a)
    return flips, loss


def search(
    sc: Scenario,
    state: str,
    runs: int = 100,
    executor: Any = None,
    pool: int = POOL,
    top: int = 5,
    progress: Callable[[int, int], None] | None = None,
) -> WhatIf:
    """Find the smallest mandate changes that bring `state` in (see the module docstring)."""
    if state not in sc.states:
        raise unknown("state", state, sc.states, "--state")
    try:
        base_sc = override(sc, runs=runs)
    except ScenarioError as exc:
        raise ScenarioError(exc.message, "--runs") from None
    check_cost(base_sc, runs, pool)
    executor = executor or Serial()
    singles = vocabulary_changes(base_sc)
    combos: list[tuple[Change, ...]] = [(), *[(c,) for c in singles]]
    done = 0
    total = len(combos)

    def evaluate(sets: list[tuple[Change, ...]]) -> list[dict]:
        """Each change set's results, the candidates run together as one array of runs
        (`sim.explore.batched`) in groups spread over the executor's workers."""
        nonlocal done
        groups = _groups([_apply(base_sc, s) for s in sets], runs, executor.workers)
        out: dict[int, list[dict]] = {}
        for i, results in executor.imap(
            batched.run_points, [(g, min(DETAIL, runs)) for g in groups]
        ):
            out[i] = results
            done += len(results)
            if progress:
                progress(done, total)
        return [r for i in range(len(groups)) for r in out[i]]

    results = evaluate(combos)
    base = results[0]
    p0 = base["p_commit"][state]
    singles_c = [Candidate(s, r) for s, r in zip(combos[1:], results[1:], strict=True)]
    if p0 >= IN:
        return WhatIf(state, base, [], True, True, len(singles), 0)
    hits = [c for c in singles_c if c.result["p_commit"][state] >= IN]
    tried_pairs = 0
    chosen: list[Change] = []
    everything = list(singles_c)
    if not hits:
        chosen = _pool(base_sc, singles_c, base, state, pool)
        pairs = [(a, b) for a, b in itertools.combinations(chosen, 2) if a.path != b.path]
        total += len(pairs)
        pair_c = [Candidate(p, r) for p, r in zip(pairs, evaluate(pairs), strict=True)]
        tried_pairs = len(pairs)
        everything += pair_c
        hits = [c for c in pair_c if c.result["p_commit"][state] >= IN]
    if hits:
        found = sorted(
            hits,
            key=lambda c: (
                c.size,
                *veto_cost(base, c.result),
                -c.result["p_commit"][state],
                c.text(),
            ),
        )[:top]
    else:
        found = sorted(
            everything,
            key=lambda c: (
                -c.result["p_commit"][state],
                c.size,
                *veto_cost(base, c.result),
                c.text(),
            ),
        )[:top]
    return WhatIf(state, base, found, bool(hits), False, len(singles), tried_pairs, chosen)


def _groups(scenarios: list[Scenario], runs: int, workers: int) -> list[list[Scenario]]:
    """Consecutive candidates in groups of at most `batched.group_size(runs)`, and at
    least as many groups as workers (each gets a share), of sizes that differ by one
    at most."""
    k = batched.group_size(runs)
    n = min(len(scenarios), max(-(-len(scenarios) // k), workers))
    edges = np.linspace(0, len(scenarios), n + 1).round().astype(int) if n else [0]
    return [scenarios[a:b] for a, b in itertools.pairwise(edges)]


def lifted_red_lines(sc: Scenario, changed: Scenario, state: str) -> int:
    """How many of the state's term red lines the base mandate violates and `changed` meets.

    Checked on the mandate itself with the rule's own predicate (world
    conditions such as a holding ceasefire are left aside), so a red line
    hidden behind another violated one still counts.
    """
    C = compile_scenario(sc)
    red = C.red
    if not len(red["op"]):
        return 0
    mine = (red["owner"] == C.states.index(state)) & (red["op"] != REQUIRES)
    world = red_lines.every_condition_held(C, 1)  # world conditions aside

    def ok(mandate: dict) -> np.ndarray:
        return red_lines.held(C, C.cols.encode(mandate)[None], world)[0]

    return int((mine & ~ok(sc.mandate) & ok(changed.mandate)).sum())


def _pool(sc: Scenario, singles: list[Candidate], base: dict, state: str, k: int) -> list[Change]:
    """Promising single changes to pair.

    The LIFTERS changes that meet the most of the state's violated red lines,
    then the `k` changes that raise its mean final payoff, then its P(commit),
    the most (only changes that raise one of them).
    """
    pay0 = base.get("final_payoff", {}).get(state) or 0.0

    def gain(c: Candidate) -> tuple[float, float]:
        r = c.result
        pay = r.get("final_payoff", {}).get(state, pay0) or 0.0
        return (pay - pay0, r["p_commit"][state] - base["p_commit"][state])

    lifts = {c.text(): lifted_red_lines(sc, _apply(sc, c.changes), state) for c in singles}
    lifting = sorted(
        (c for c in singles if lifts[c.text()] > 0), key=lambda c: (-lifts[c.text()], c.text())
    )
    chosen = [c.changes[0] for c in lifting[:LIFTERS]]
    ranked = sorted(singles, key=lambda c: (*(-g for g in gain(c)), c.text()))
    for c in ranked:
        if len(chosen) >= LIFTERS + k or not any(g > 0 for g in gain(c)):
            break
        if c.changes[0] not in chosen:
            chosen.append(c.changes[0])
    return chosen


def veto_text(base: dict, r: dict) -> str:
    """Veto players whose mean final acceptance moves: before → after, and any flip."""
    parts = []
    for v, a in r["acceptance"].items():
        a0, thr = base["acceptance"][v], base["thresholds"][v]
        if abs(a - a0) < 0.005:
            continue
        flag = " flips to rejection" if a0 >= thr > a else (" rejects" if a < thr else "")
        parts.append(f"{v} {a0:.2f}→{a:.2f}{flag}")
    return "; ".join(parts) or "no change"


def others_text(base: dict, r: dict, state: str, limit: int = 6) -> str:
    """Other states whose P(commit) moves by 5 percentage points or more, largest first."""
    from sim.explore.report import points

    deltas = {c: r["p_commit"][c] - base["p_commit"][c] for c in r["p_commit"] if c != state}
    moved = sorted(
        (c for c in deltas if abs(deltas[c]) >= 0.05), key=lambda c: (-abs(deltas[c]), c)
    )
    text = ", ".join(f"{c} {points(deltas[c])}" for c in moved[:limit])
    if len(moved) > limit:
        text += f", … {len(moved) - limit} more"
    return text or "none moves by 5 points or more"


def claim_text(p: float, runs: int) -> str:
    """A state's P(commit) under a change, with its interval, and a flag when the run
    count cannot tell it apart from the 0.5 that decides "brings in":
    '62% (48–74%), not resolved at 50 runs (...; about 180 runs would resolve it)'."""
    from sim.explore.report import unresolved
    from sim.numbers import share_ci

    note = unresolved(p, runs, IN)
    return share_ci(p, runs) + (f", {note}" if note else "")
