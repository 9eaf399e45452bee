"""Suspension and withdrawal: contingents under shocks after the force forms.

A formed force is not a force for good. From the week the force forms (e) to the
end of the watch (H), a contingent may be

- **suspended**: it stops for a number of weeks, then resumes (a crisis at home
  calls the troops back for a while);
- **withdrawn**: it leaves for good.

Two kinds of shock do it, each only where the scenario declares it:

1. **events** (`events:`), exogenous: event j fires in week t (e <= t <= H) when
   the run's uniform for (t, j) is below its weekly `hazard` (a judgement range
   drawn per run) or t is its scheduled `week`; it may fire in several weeks. On
   firing it withdraws, or suspends for `weeks` weeks (weeks t .. t + weeks - 1),
   the contingent of each state its `effect` names, by code or by bloc (a state's
   own entry wins over its blocs'; among blocs a withdrawal wins, then the longest
   suspension). Overlapping suspensions run to the latest end.
2. **casualties in theatre** (`deployment.incident_hazard`): each week, each
   contingent in theatre (arrived, not suspended, not withdrawn, of a kind that
   serves in theatre) has an incident with casualties with chance `h`, the
   weekly `incident_hazard`; after one in week t its state withdraws it, from
   week t + 1 (the decision is taken at home), with chance

       q_s = domestic_opposition_s × (1 − risk_tolerance_s)

   (a uniform per run, week and state; an incident without withdrawal leaves the
   contingent in place). Why this form: casualty tolerance falls as opposition at
   home rises and rises with the government's acceptance of risk; the two
   parameters already carry that meaning in the payoff (the domestic cost is
   `domestic_opposition × Perc`, the risk cost `(1 − risk_tolerance) × Risk`), so
   no new judgement is added per state. A state with no opposition at home, or
   fully tolerant of risk, stays; one with opposition 0.8 and tolerance 0.2
   withdraws after 64% of its incidents. The rate `h` is per contingent, not the
   negotiation's incident rate (`environment.incident_rate`, per theatre and
   week of talks): no figure on the record, a judgement call per scenario.

Seed 000 (MNTV, citing Daily Times; undated in the seed): Pakistan's deputy prime
minister and foreign minister Ishaq Dar said Pakistan is willing to contribute
troops but "will not take part in any mission aimed at disarming" Hamas ("Our
job is peacekeeping, not peace enforcement"); Indonesia "had also privately
expressed reservations if the mission involved disarming Hamas"; Pakistan's
defence minister criticised a government spokesperson for suggesting the force
would be tasked with disarmament. A contributor's support depends on what its
troops would be exposed to and on opinion at home; this rule carries that
concern past formation, to casualties in theatre (the seed reports no
casualties and no withdrawal: the rule and its numbers are a judgement).

Within a week: events first, then incidents among the contingents still in
theatre. A contingent withdrawn in week t (by an event in week t, or after an
incident in week t − 1), or suspended in week t, does not count in week t's
deployed strength; a withdrawal decided in the last week watched falls outside
the watch and is not recorded. A suspension does not delay force
generation: a contingent that becomes ready (or whose entry opens) while
suspended enters when the suspension ends. Shocks act on every contingent of a
formed run whose approval vote did not fail, from week e, in theatre or not yet.
With `mechanisms.withdrawal` off, or without a deployment stage (or with
`mechanisms.deployment` off), nothing is suspended or withdrawn (the draws are
taken all the same). See docs/model.md, 'Suspension and withdrawal'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.arrays import Compiled
from sim.scenario.params import Params

NEVER = -1
INCIDENT = -2
"""`Shocks.by` of a contingent withdrawn after an incident in theatre."""


@dataclass
class Shocks:
    """What the shocks did to each contingent of each run, week by week."""

    present: np.ndarray  # (R, S, H) in theatre at the end of week t (t = 1..H)
    suspended: np.ndarray  # (R, S, H) suspended (and not withdrawn) in week t
    withdrawn: np.ndarray  # (R, S) week withdrawn, NEVER if not
    by: np.ndarray  # (R, S) the event (index) that withdrew it, INCIDENT, or NEVER
    incidents: np.ndarray  # (R, S) incidents with casualties in its contingent

    def first_present(self) -> np.ndarray:
        """(R, S): the first week each contingent was in theatre, NEVER if none."""
        any_week = self.present.any(axis=2)
        return np.where(any_week, self.present.argmax(axis=2) + 1, NEVER)


def withdraw_chance(P: Params) -> np.ndarray:
    """(R|1, S): chance a state withdraws after an incident in its contingent."""
    return P.state.domestic_opposition * (1.0 - P.state.risk_tolerance)


def shocks(
    C: Compiled,
    P: Params,
    end: np.ndarray,
    active: np.ndarray,
    entry: np.ndarray,
    kind: np.ndarray,
    u: np.ndarray,
) -> Shocks:
    """Suspensions and withdrawals of the runs' contingents.

    `end` (R,) the week each run's force formed; `active` (R, S) its contingents
    under way (counted, vote not failed); `entry` (R, S) the week each would enter
    without shocks (NEVER if it would not); `kind` (R, S) their kinds; `u` (R, H,
    E + 2S) the shocks' uniforms for weeks 1..H: events, incidents, withdrawals."""
    R, S = active.shape
    H, E = u.shape[1], len(C.event_names)
    in_theatre = np.array([C.scenario.kinds[k].in_theatre for k in C.kinds] + [False])
    serves = active & in_theatre[kind]  # kind -1 (none) maps to the last entry
    hazard = np.broadcast_to(P.shock.event_hazard, (R, E))
    h = np.broadcast_to(P.shock.incident_hazard, (R,))[:, None]
    q = np.broadcast_to(withdraw_chance(P), (R, S))
    withdraw = C.event_withdraw.astype(np.int64)  # (E, S)
    length = C.event_suspend  # (E, S)
    until = np.zeros((R, S), np.int64)  # last week of the current suspension
    withdrawn = np.full((R, S), NEVER)
    by = np.full((R, S), NEVER)
    incidents = np.zeros((R, S), np.int64)
    present = np.zeros((R, S, H), bool)
    suspended = np.zeros((R, S, H), bool)
    for t in range(1, H + 1):
        fires = (t >= end)[:, None] & ((u[:, t - 1, :E] < hazard) | (C.event_week == t)[None])
        if E:
            hit = active & (withdrawn == NEVER) & ((fires.astype(np.int64) @ withdraw) > 0)
            which = np.argmax(fires[:, :, None] & (withdraw > 0)[None], axis=1)
            by = np.where(hit, which, by)
            withdrawn = np.where(hit, t, withdrawn)
            ends = np.where(fires[:, :, None] & (length > 0)[None], t + length[None] - 1, 0)
            until = np.maximum(until, ends.max(axis=1))
        out = (withdrawn != NEVER) & (withdrawn <= t)
        held = active & (t <= until) & ~out
        there = active & (entry != NEVER) & (entry <= t) & ~held & ~out
        struck = there & serves & (u[:, t - 1, E : E + S] < h)
        leave = struck & (u[:, t - 1, E + S :] < q) & (withdrawn == NEVER) & (t < H)
        incidents += struck
        withdrawn = np.where(leave, t + 1, withdrawn)
        by = np.where(leave, INCIDENT, by)
        present[:, :, t - 1] = there
        suspended[:, :, t - 1] = held
    return Shocks(present, suspended, withdrawn, by, incidents)


def spells(weeks: np.ndarray) -> list[tuple[int, int]]:
    """The runs of True in a (H,) week mask, as (first, last) weeks (1-based)."""
    out: list[tuple[int, int]] = []
    for t in np.flatnonzero(weeks) + 1:
        if out and out[-1][1] == t - 1:
            out[-1] = (out[-1][0], int(t))
        else:
            out.append((int(t), int(t)))
    return out
