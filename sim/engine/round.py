"""One week of negotiation, declared once, for any number of runs.

The order of a week lives here and nowhere else: `PHASES` lists it, and
`play_week` plays it. The fast engine plays it on a batch of runs at a time;
the Mesa model plays it on its one run, with its agents reading their state
from the same arrays. The two engines therefore compute the same numbers by
construction, not by keeping two copies of the sequence in step.

Each phase is a small function of the week in progress (`Week`): it reads the
world as the earlier phases left it and writes what it decides. The decision
logic itself is in `sim.rules`; a phase only says when a rule applies and
where its result goes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from sim.engine.record import Recorder, RoundView
from sim.rules import (
    actors,
    broker,
    caveats,
    clarity,
    decide,
    deployment,
    events,
    packages,
    payoff,
    short_axis,
    stated,
    vetoes,
    world,
)
from sim.rules.decide import Decision
from sim.rules.events import SLOTS
from sim.rules.terms import apply_changes, firm_up
from sim.scenario.arrays import Compiled
from sim.scenario.drawn import drawn_values
from sim.scenario.params import Params, rows_at

Override = Callable[[Decision], Decision]
"""Replaces (some of) a week's decisions before they are adopted (a human seat)."""


@dataclass
class World:
    """The evolving state of R runs: every array has the runs on its first axis."""

    m: np.ndarray  # (R, F) the mandate as a row of numbers
    stance: np.ndarray  # (R, S)
    kind: np.ndarray  # (R, S), -1 for no contribution
    pledge: np.ndarray  # (R, S)
    counted: np.ndarray  # (R, S) pledge counts toward the target
    side: np.ndarray  # (R, S) side payments received, times their effect
    paid: np.ndarray  # (R, S) side payments received
    budget: np.ndarray  # (R,) the broker's budget left
    made_round: np.ndarray  # (R, C) week each concession was made, -1 if not
    consent: np.ndarray  # (R, H)
    consent_ok: np.ndarray  # (R,) all hosts consent
    accept: np.ndarray  # (R, V)
    accepts: np.ndarray  # (R, V)
    level: np.ndarray  # (R,) incident level
    force: np.ndarray  # (R,) counted force
    outcome: np.ndarray  # (R,) index into OUTCOMES, 0 while running
    end: np.ndarray  # (R,) week the run ended, 0 while running
    cond: np.ndarray  # (R, W) declared world conditions (`world:`), true once they hold
    stated: np.ndarray  # (R, S) still on the offer stated in the record (`sim.rules.stated`)
    share: np.ndarray  # (R, S) share of each pledge that counts: 1 less caveats' discounts
    parts: np.ndarray  # (R, S, Kmax) package parts besides the lead kind (`sim.rules.packages`)
    parts_counted: np.ndarray  # (R, S, Kmax) their strength counted toward the target

    def subset(self, idx: np.ndarray) -> World:
        """The runs at `idx` (copies), e.g. the ones still negotiating."""
        return World(**{f: rows_at(getattr(self, f), idx) for f in FIELDS})

    def write_back(self, sub: World, idx: np.ndarray) -> None:
        """Put a subset's state back at `idx`."""
        for f in FIELDS:
            getattr(self, f)[idx] = getattr(sub, f)


FIELDS = tuple(f.name for f in fields(World))


def start(C: Compiled, P: Params, R: int, mech, mandates: np.ndarray | None = None) -> World:
    """Week 0: the mandate as written, stances and offers as on the record.

    `mandates` (R, F), when given, is each run's own starting mandate (the points
    of a sweep run as one array, `sim.engine.fast.run_points`)."""
    S, n_con = len(C.states), len(C.concessions)
    m = np.repeat(C.mandate0[None], R, axis=0) if mandates is None else mandates.astype(float)
    stance = np.repeat(P.state.initial_stance, R, axis=0).astype(np.int64)
    kind = np.repeat(np.where(P.state.initial_pledge > 0, P.state.initial_kind, -1), R, axis=0)
    pledge = np.repeat(P.state.initial_pledge, R, axis=0).astype(float)
    P0 = vetoes.hold(C, P, 0, np.zeros((R, n_con), bool), mech)
    counted = decide.counted_from(P0, stance, kind, mech)
    consent, consent_ok = actors.consent(C, P, m)
    accept, accepts = actors.acceptance(C, P, m)
    share = caveats.share(C, P, m, kind)
    parts = packages.initial(C, R)
    parts_counted = packages.counted(C, P0, stance, parts, m, mech)
    return World(
        m=m,
        stance=stance,
        kind=kind.astype(np.int64),
        pledge=pledge,
        counted=counted,
        side=np.zeros((R, S)),
        paid=np.zeros((R, S)),
        budget=np.zeros(R) + P.broker.budget,
        made_round=np.full((R, n_con), -1),
        consent=consent,
        consent_ok=consent_ok,
        accept=accept,
        accepts=accepts,
        level=np.zeros(R),
        force=counted_force(C, pledge, counted, share, parts_counted),
        outcome=np.zeros(R, np.int64),
        end=np.zeros(R, np.int64),
        cond=np.repeat(C.world_initial[None], R, axis=0),
        stated=stated.initial(P, R, mech),
        share=share,
        parts=parts,
        parts_counted=parts_counted,
    )


def counted_force(
    C: Compiled,
    pledge: np.ndarray,
    counted: np.ndarray,
    share: np.ndarray | None = None,
    parts_counted: np.ndarray | None = None,
) -> np.ndarray:
    """(R,): the force counted toward the target: counted pledges, each at its share
    (1 less its caveats' discounts, `sim.rules.caveats`), their package parts
    (`sim.rules.packages`), plus any force already in theatre (`force.in_theatre`,
    an existing mission being expanded)."""
    own = pledge * counted if share is None else pledge * counted * share
    total = own.sum(axis=1) + C.scenario.force.in_theatre
    if parts_counted is not None and packages.declared(C):
        total = total + parts_counted.sum(axis=(1, 2))
    return total


def observed(w: World) -> payoff.Observed:
    """What the states see when they decide: the end of the previous week."""
    own = w.pledge * w.counted * w.share + short_axis.sum_last(w.parts_counted)
    lowest = actors.lowest(w.consent)
    return payoff.Observed(w.stance, w.force, lowest, w.level, w.side.copy(), own, w.cond.copy())


@dataclass
class Week:
    """One week in progress: its inputs, and what each phase decided."""

    C: Compiled
    P: Params
    w: World
    t: int
    noise: np.ndarray  # (R, S) this week's decision noise
    slots: np.ndarray  # (R, SLOTS) this week's incident draws
    world_u: np.ndarray  # (R, W) this week's draws for the declared world conditions
    mech: object
    override: Override | None = None
    decision: Decision | None = None
    concession: np.ndarray | None = None  # (R,) concession made, -1 for none
    paid_to: np.ndarray | None = None  # (R,) state paid, -1 for none
    incidents: np.ndarray | None = None  # (R,) incidents this week
    veto_demand: np.ndarray | None = None  # (R, V) concession each veto player asks for, -1

    def view(self, runs: np.ndarray) -> RoundView:
        """The week as the recorder takes it (`runs` are the global run ids)."""
        w = self.w
        return RoundView(
            runs,
            self.t,
            self.decision,
            w.counted,
            w.m,
            w.force,
            w.accept,
            w.accepts,
            w.consent,
            self.incidents,
            w.level,
            self.concession,
            self.paid_to,
            w.cond,
            self.P.bar.now,
            w.parts_counted,
            self.veto_demand,
        )


def vetoes_hold(k: Week) -> None:
    """The vetoes on contributors that hold this week: fixed ones, and conditional
    ones not yet lifted by their date, their concession or the world condition
    they name (`sim.rules.vetoes`)."""
    k.P = vetoes.hold(k.C, k.P, k.t, k.w.made_round >= 0, k.mech, k.w.cond)


def firm_up_terms(k: Week) -> None:
    """The broker's engagement firms up the terms before anyone decides: the force-wide
    clarity term and every state's own (`sim.rules.clarity`)."""
    k.w.m = firm_up(k.w.m, clarity.firmed(k.C), k.P.broker.engagement)


def states_decide(k: Week) -> None:
    """All states decide at once on last week's world, holding offers stated in the
    record until their stance moves; a human seat may override."""
    w = k.w
    made = w.made_round >= 0
    dec = decide.decide(k.C, k.P, w.m, observed(w), k.noise, k.mech, made, w.accepts, w.consent_ok)
    dec = stated.hold(k.C, dec, w.stance, w.kind, w.pledge, w.stated, w.parts)
    k.decision = k.override(dec) if k.override is not None else dec


def adopt(k: Week) -> None:
    """States take their decisions; the counted force follows."""
    w, dec = k.w, k.decision
    w.stance, w.kind, w.pledge = dec.stance, dec.kind, dec.pledge
    w.stated = dec.stated
    w.counted = decide.counted(k.C, k.P, dec, k.mech)
    w.share = caveats.share(k.C, k.P, w.m, w.kind)
    w.parts = dec.parts
    w.parts_counted = packages.counted(k.C, k.P, w.stance, w.parts, w.m, k.mech)
    w.force = counted_force(k.C, w.pledge, w.counted, w.share, w.parts_counted)


def broker_concedes(k: Week) -> None:
    """At most one concession per run, judged on the acceptance before this week: the
    states' demands and the demands of veto players that reject the mandate."""
    w = k.w
    made = w.made_round >= 0
    dec = k.decision
    k.veto_demand = vetoes.demands(k.C, w.accepts, dec.accept_if, dec.open_, k.mech)
    k.concession = broker.concede(
        k.C, k.P, dec, w.force, made, w.accepts, k.t, k.mech, w.cond, k.veto_demand
    )
    for j in range(len(k.C.concessions)):
        hit = k.concession == j
        if hit.any():
            w.m[hit] = apply_changes(w.m[hit], k.C.concession_changes[j])
            w.made_round[hit, j] = k.t


def broker_pays(k: Week) -> None:
    """At most one side payment per run, within the budget."""
    w, P = k.w, k.P
    to, pay = broker.side_payment(k.C, P, k.decision, w.force, w.budget, w.paid, k.mech)
    rows = np.flatnonzero(to >= 0)
    effect = P.decision.side_payment_effect + np.zeros(len(to))
    w.side[rows, to[rows]] += pay[rows] * effect[rows]
    w.paid[rows, to[rows]] += pay[rows]
    w.budget = w.budget - pay
    k.paid_to = to


def others_respond(k: Week) -> None:
    """Veto players and host-side actors respond to the mandate as it now stands."""
    w = k.w
    w.accept, w.accepts = actors.acceptance(k.C, k.P, w.m)
    w.consent, w.consent_ok = actors.consent(k.C, k.P, w.m)


def incidents_happen(k: Week) -> None:
    """Incidents, more likely where consent is low and the mandate is ambitious."""
    w = k.w
    k.incidents, w.level = events.incidents(
        k.C, k.P, w.m, actors.lowest(w.consent), w.level, k.slots, k.mech
    )


def world_evolves(k: Week) -> None:
    """Declared world conditions come true: a weekly hazard, a scheduled week, or a
    concession the broker has made (`sim.rules.world`). Once true they stay true;
    with `mechanisms.world_conditions` off they keep their initial values."""
    w, C = k.w, k.C
    if not len(C.world_names) or not k.mech.world_conditions:
        return
    made = w.made_round >= 0
    hazard = k.P.env.world_hazard
    w.cond = world.evolve(w.cond, k.t, k.world_u, hazard, C.world_from, C.world_by, made)


def settle(k: Week) -> None:
    """Formed, undersized, stalled or still negotiating, at the end of the week."""
    w, P = k.w, k.P
    deployable = vetoes.mandate_accepted(w.accepts, k.mech)
    horizon = k.C.scenario.broker.deadline
    w.outcome = events.outcome(
        w.force, P.broker.target, P.broker.minimum_viable, deployable, k.t, horizon
    )
    w.end = np.where(w.outcome > 0, k.t, 0)


PHASES: tuple[Callable[[Week], None], ...] = (
    vetoes_hold,
    firm_up_terms,
    states_decide,
    adopt,
    broker_concedes,
    broker_pays,
    others_respond,
    incidents_happen,
    world_evolves,
    settle,
)
"""The order of a week (docs/model.md, 'One round')."""


def play_week(
    C: Compiled,
    P: Params,
    w: World,
    t: int,
    noise: np.ndarray,
    slots: np.ndarray,
    mech,
    override: Override | None = None,
) -> Week:
    """Play week `t` on the world `w` (changed in place); return the week's record.

    `slots` holds the week's SLOTS incident uniforms, then one uniform per declared
    world condition (`sim.engine.draws`)."""
    k = Week(C, P, w, t, noise, slots[:, :SLOTS], slots[:, SLOTS:], mech, override)
    for phase in PHASES:
        phase(k)
    return k


def deploy(C: Compiled, P: Params, w: World, draws) -> deployment.Arrivals:
    """When the contingents of the runs that formed reach the theatre
    (`sim.rules.deployment`), from the world as their negotiation left it, and
    which are suspended or withdrawn under shocks (`sim.rules.withdrawal`)."""
    world_u = np.concatenate([draws.slots[:, :, SLOTS:], draws.after], axis=1)
    size, counted, kind = packages.contingent(
        C, w.pledge, w.counted, w.kind, w.parts, w.parts_counted
    )
    return deployment.arrivals(
        C,
        P,
        w.outcome,
        w.end,
        counted,
        size,
        w.cond,
        w.made_round >= 0,
        w.consent_ok,
        draws.votes,
        world_u,
        C.scenario.run.mechanisms,
        kind,
        draws.shocks,
    )


def finish(rec: Recorder, runs: np.ndarray, w: World, C: Compiled, P: Params, draws) -> None:
    """Record how the runs ended, when their contingents arrived, and the values of
    the judgement calls they drew."""
    spent = (np.zeros(len(runs)) + P.broker.budget) - w.budget
    rec.finish(
        runs,
        w.outcome,
        w.end,
        w.force,
        w.stance,
        w.kind,
        w.pledge,
        w.counted,
        w.made_round,
        spent,
        w.accepts,
        drawn=drawn_values(C, P, len(runs)),
        arrivals=deploy(C, P, w, draws),
        parts=(w.parts, w.parts_counted),
    )
