"""Per-run randomness and per-run parameter values.

Run i of a scenario with seed s draws everything from
Generator(PCG64(SeedSequence(s, spawn_key=(i,)))), the i-th child that
SeedSequence(s).spawn(n) would give, so a run's numbers do not depend on how
many runs, chunks or processes computed it. The draws are taken up front, in a
fixed order: parameter ranges, decision noise, incident slots; then, only when
the scenario declares world conditions (`world:`), the ranges of their hazards
and one uniform per week and condition. A scenario without them draws exactly
what it drew before they existed, and declaring one leaves every other draw of
a run as it was. Likewise, only when the scenario has a deployment stage
(`deployment:`), the ranges of its lags and approval chances, one uniform per
state for its approval vote, and one uniform per condition for each week
watched after the deadline (`sim.rules.deployment`). Last of all, only when
the scenario declares shocks in its deployment stage (`events:` or
`deployment.incident_hazard`), the ranges of their hazards and, for every week
watched, one uniform per event, then two per state (an incident in its
contingent, its withdrawal after one) (`sim.rules.withdrawal`). After them, only
where states declare per-state caveats with a range as `discount`, one uniform per
such range (`sim.rules.caveats`).

The world conditions' weekly uniforms ride in `Draws.slots`, after the SLOTS
incident uniforms of each week (columns SLOTS, SLOTS+1, ...): the engines hand
a week its slots, and the week (`sim.engine.round.play_week`) splits them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.engine import seeding
from sim.rules.events import SLOTS
from sim.scenario.arrays import Compiled, has_shocks
from sim.scenario.params import Params, rows_at, with_slots
from sim.scenario.references import last_week


def generator(seed: int, run: int) -> np.random.Generator:
    """The generator of one run: the run-th child of the scenario seed."""
    return seeding.numpy_generator(seed, run)


@dataclass
class Draws:
    """Every random number a batch of runs will use, taken up front."""

    ranges: np.ndarray  # (R, E) uniforms for the judgement ranges
    noise: np.ndarray  # (R, T, S) standard normals
    slots: np.ndarray  # (R, T, SLOTS + W) uniforms for incidents, then world conditions
    votes: np.ndarray  # (R, S) approval votes (S = 0 without a deployment stage)
    after: np.ndarray  # (R, watch, W) world conditions' uniforms after the deadline
    bars: np.ndarray  # (R, B) whether each conditional veto holds in the run (u < p)
    shocks: np.ndarray  # (R, H, E + 2S) events, incidents, withdrawals (0 wide without shocks)

    def take(self, idx: np.ndarray) -> Draws:
        """The draws of the runs at `idx`."""
        return Draws(*(rows_at(getattr(self, f), idx) for f in DRAWN))


DRAWN = ("ranges", "noise", "slots", "votes", "after", "bars", "shocks")


def horizon(C: Compiled) -> int:
    """Rounds a run can last: until the broker's deadline."""
    return C.scenario.broker.deadline


def watched(C: Compiled) -> int:
    """Weeks a run is watched: the deadline, plus the deployment stage's `watch`
    (`sim.scenario.references.last_week`, which the scenario's weeks are checked
    against)."""
    return last_week(C.scenario)[0]


def late_ranges(C: Compiled) -> tuple[int, int, int, int, int]:
    """How many ranges are world hazards, the deployment stage's, conditional vetoes',
    the shocks' and the caveats' discounts (compiled last, in that order)."""
    world = sum(r.field == "world_hazard" for r in C.ranges)
    deploy = sum(r.group == "deploy" for r in C.ranges)
    shock = sum(r.group == "shock" for r in C.ranges)
    caveat = sum(r.group == "caveat" for r in C.ranges)
    return world, deploy, sum(r.group == "bar" for r in C.ranges), shock, caveat


def shock_width(C: Compiled) -> int:
    """Uniforms per watched week for the shocks: one per event, two per state; 0
    without shocks (`sim.rules.withdrawal`)."""
    return len(C.event_names) + 2 * len(C.states) if has_shocks(C.scenario) else 0


def draw_one(C: Compiled, rng: np.random.Generator) -> Draws:
    """All draws of one run from its generator, in the documented order (the Mesa
    model's run; `draw_many` draws a batch the same way)."""
    return _draw(C, [rng], 1)


def _draw(C: Compiled, rngs, R: int) -> Draws:
    """The draws of R runs, one generator each, in the documented order.

    The judgement ranges come first, then the noise and the incident uniforms, then,
    only where the scenario has them, each later group's ranges and draws: a
    scenario without world conditions, a deployment stage, conditional vetoes,
    shocks or caveats draws what it drew before they existed. Everything after the
    noise is uniform, so a run draws it in one call (the same numbers as one call per
    group, in that order) into a row of `tail`, and the rows are put in place for the
    whole batch at once (`_tail`): three calls a run instead of one per group."""
    out = empty(C, R)
    segments = _tail(C)
    width = sum(n for *_, n in segments)
    lead = out.ranges[:, : len(C.ranges) - sum(late_ranges(C))]
    tail = np.empty((R, width))
    for i, rng in enumerate(rngs):
        rng.random(out=lead[i])
        rng.standard_normal(out=out.noise[i])
        rng.random(out=tail[i])
    at = 0
    for field, where, shape, n in segments:
        getattr(out, field)[where] = tail[:, at : at + n].reshape(R, *shape)
        at += n
    return out


def _tail(C: Compiled) -> list[tuple[str, tuple, tuple, int]]:
    """Where each uniform drawn after the noise goes, in the order drawn: (field of
    `Draws`, index into it, one run's shape there, count)."""
    T, W, S = horizon(C), len(C.world_names), len(C.states)
    world, deploy, bar, shock, caveat = late_ranges(C)
    every = slice(None)
    at = len(C.ranges) - world - deploy - bar - shock - caveat
    out: list[tuple[str, tuple, tuple, int]] = []

    def more(field: str, where: tuple, shape: tuple) -> None:
        out.append((field, where, shape, int(np.prod(shape, dtype=np.int64))))

    def ranges(n: int) -> None:
        nonlocal at
        more("ranges", (every, slice(at, at + n)), (n,))
        at += n

    more("slots", (every, every, slice(0, SLOTS)), (T, SLOTS))
    if W:
        ranges(world)
        more("slots", (every, every, slice(SLOTS, None)), (T, W))
    if C.scenario.deployment is not None:
        ranges(deploy)
        more("votes", (every,), (S,))
        more("after", (every,), (watched(C) - T, W))
    if len(C.bar_state):
        ranges(bar)
        more("bars", (every,), (len(C.bar_state),))
    if shock_width(C):
        ranges(shock)
        more("shocks", (every,), (watched(C), shock_width(C)))
    if caveat:  # last of all: a scenario without them draws what it drew before
        ranges(caveat)
    return out


def empty(C: Compiled, R: int) -> Draws:
    """Room for the draws of R runs."""
    T, S, W = horizon(C), len(C.states), len(C.world_names)
    staged = C.scenario.deployment is not None
    return Draws(
        np.empty((R, len(C.ranges))),
        np.empty((R, T, S)),
        np.empty((R, T, SLOTS + W)),
        np.empty((R, S if staged else 0)),
        np.empty((R, watched(C) - T, W)),
        np.empty((R, len(C.bar_state))),
        np.empty((R, watched(C), shock_width(C))),
    )


def draw_many(C: Compiled, seed: int, runs: np.ndarray) -> Draws:
    """Draws for a batch of runs, each from its own generator (seeded for the batch at
    once, `sim.engine.seeding`: the numbers `generator` gives each run)."""
    return _draw(C, seeding.generators(seed, runs), len(runs))


def parameters(C: Compiled, u: np.ndarray, bars: np.ndarray | None = None) -> Params:
    """Parameters with a leading run axis: R where a range is sampled, else 1.

    `bars` (R, B): the runs' uniforms for their conditional vetoes (a veto holds
    where its uniform is below its `p`); without them every veto with p > 0 holds."""
    P = C.params.with_runs(u.shape[0], C.ranges, u)
    if bars is not None and bars.shape[1]:
        P = replace(P, bar=replace(P.bar, u=np.asarray(bars, float)))
    return with_slots(P, C.slot_kind, C.prefs["pref_index"])
