"""The fast engine: many runs advanced together as (runs x states) arrays.

It calls the same rule functions as the Mesa model, in the same order, so a
run computes to the same numbers in either engine. Runs that have ended are
left out of later rounds, so their final state stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.draws import Draws, draw_many, horizon, parameters, take
from sim.engine.record import Recorder, RoundView
from sim.rules import actors, broker, decide, events, payoff
from sim.rules.terms import apply_changes, firm_up
from sim.scenario.arrays import Compiled


@dataclass
class Batch:
    """The evolving state of a batch of runs."""

    m: np.ndarray
    stance: np.ndarray
    kind: np.ndarray
    pledge: np.ndarray
    counted: np.ndarray
    side: np.ndarray
    paid: np.ndarray
    budget: np.ndarray
    made_round: np.ndarray
    consent: np.ndarray
    consent_ok: np.ndarray
    accept: np.ndarray
    accepts: np.ndarray
    level: np.ndarray
    force: np.ndarray
    outcome: np.ndarray
    end: np.ndarray


def initial(C: Compiled, P: dict, R: int, mech) -> Batch:
    """Round 0: the mandate as written, stances and offers as on the record."""
    S, n_con = len(C.states), len(C.concessions)
    m = np.repeat(C.mandate0[None], R, axis=0)
    stance = np.repeat(P["initial_stance"], R, axis=0)
    kind = np.repeat(np.where(P["initial_pledge"] > 0, P["initial_kind"], -1), R, axis=0)
    pledge = np.repeat(P["initial_pledge"], R, axis=0).astype(float)
    counted = decide.counted_from(P, stance, kind, mech)
    consent, consent_ok = actors.consent(C, P, m)
    accept, accepts = actors.acceptance(C, P, m)
    return Batch(
        m=m,
        stance=stance.astype(np.int64),
        kind=kind.astype(np.int64),
        pledge=pledge,
        counted=counted,
        side=np.zeros((R, S)),
        paid=np.zeros((R, S)),
        budget=np.zeros(R) + P["budget"],
        made_round=np.full((R, n_con), -1),
        consent=consent,
        consent_ok=consent_ok,
        accept=accept,
        accepts=accepts,
        level=np.zeros(R),
        force=(pledge * counted).sum(axis=1),
        outcome=np.zeros(R, np.int64),
        end=np.zeros(R, np.int64),
    )


def step(C: Compiled, P: dict, b: Batch, draws: Draws, t: int, mech):
    """One round for every run in the batch; returns the round's view for the recorder."""
    b.m = firm_up(b.m, C.cols.col[C.scenario.force.clarity_term], P["engagement"])
    own = b.pledge * b.counted
    obs = payoff.Observed(b.stance, b.force, actors.lowest(b.consent), b.level, b.side.copy(), own)
    made = b.made_round >= 0
    dec = decide.decide(C, P, b.m, obs, draws.noise[:, t - 1], mech, made, b.accepts, b.consent_ok)
    b.stance, b.kind, b.pledge = dec.stance, dec.kind, dec.pledge
    b.counted = decide.counted(C, P, dec, mech)
    b.force = (b.pledge * b.counted).sum(axis=1)

    conc = broker.concede(C, P, dec, b.force, made, b.accepts, t, mech)
    for j in range(len(C.concessions)):
        hit = conc == j
        if hit.any():
            b.m[hit] = apply_changes(b.m[hit], C.concession_changes[j])
            b.made_round[hit, j] = t
    to, pay = broker.side_payment(C, P, dec, b.force, b.budget, b.paid, mech)
    rows = np.flatnonzero(to >= 0)
    b.side[rows, to[rows]] += pay[rows] * (P["side_payment_effect"] + np.zeros(len(to)))[rows]
    b.paid[rows, to[rows]] += pay[rows]
    b.budget = b.budget - pay

    b.accept, b.accepts = actors.acceptance(C, P, b.m)
    b.consent, b.consent_ok = actors.consent(C, P, b.m)
    n_inc, b.level = events.incidents(
        C, P, b.m, actors.lowest(b.consent), b.level, draws.slots[:, t - 1], mech
    )
    deployable = b.accepts.all(axis=1) | (not mech.vetoes)
    b.outcome = events.outcome(b.force, P["target"], P["minimum_viable"], deployable, t, horizon(C))
    return dec, conc, to, n_inc


def run_batch(C: Compiled, seed: int, runs: np.ndarray, rec: Recorder) -> None:
    """Run a batch of runs (global ids) to their end and record them."""
    mech = C.scenario.run.mechanisms
    draws = draw_many(C, seed, runs)
    P = parameters(C, draws.ranges)
    b = initial(C, P, len(runs), mech)
    active = np.arange(len(runs))
    for t in range(1, horizon(C) + 1):
        sub = _subset(b, active)
        Ps = take(P, active)
        ds = Draws(draws.ranges[active], draws.noise[active], draws.slots[active])
        dec, conc, to, n_inc = step(C, Ps, sub, ds, t, mech)
        rec.round(
            RoundView(
                runs[active],
                t,
                dec,
                sub.counted,
                sub.m,
                sub.force,
                sub.accept,
                sub.accepts,
                sub.consent,
                n_inc,
                sub.level,
                conc,
                to,
            )
        )
        sub.end = np.where(sub.outcome > 0, t, 0)
        _write_back(b, sub, active)
        active = active[sub.outcome == 0]
        if not len(active):
            break
    spent = (np.zeros(len(runs)) + P["budget"]) - b.budget
    rec.finish(
        runs,
        b.outcome,
        b.end,
        b.force,
        b.stance,
        b.kind,
        b.pledge,
        b.counted,
        b.made_round,
        spent,
        b.accepts,
    )


FIELDS = tuple(Batch.__dataclass_fields__)


def _subset(b: Batch, idx: np.ndarray) -> Batch:
    return Batch(**{f: getattr(b, f)[idx] for f in FIELDS})


def _write_back(b: Batch, sub: Batch, idx: np.ndarray) -> None:
    for f in FIELDS:
        getattr(b, f)[idx] = getattr(sub, f)
