"""Deployment: from a formed force to contingents in theatre.

A pledge is not a force. Once a run's force forms (or forms undersized at the
deadline) in week e, each contingent that counts toward the target goes through

1. an approval vote where the scenario names one (`states.X.deployment.approval`):
   held in week e + weeks, it passes when the run's uniform for the state is below
   `p`; a contingent whose vote fails stays home;
2. force generation: ceil(lag) weeks after the vote (or after e without one), the
   lag being the state's own (`states.X.deployment.lag`) or the scenario's
   (`deployment.lag`), each a judgement range drawn per run;
3. entry: the contingent arrives in the first week, from the one it is ready in,
   in which the force may enter: every world condition in `deployment.requires`
   holds and, with `deployment.host_consent`, every host-side actor consents to
   the mandate as it stood when the force formed.

The world keeps evolving after the negotiation ends (its hazards, schedules and
the concessions made), so a force can wait at the border for a condition and go
in once it holds. Runs are watched until `deployment.watch` weeks after the
deadline; a contingent not in by then counts as not deployed.

Deployed strength in week t is the force already in theatre plus the counted
pledges of the contingents in theatre in week t: in by then, and neither
suspended nor withdrawn under a shock (`sim.rules.withdrawal`, where the
scenario declares events or an incident hazard in theatre). With `mechanisms.deployment` off, or
without a `deployment:` stage, every counted contingent arrives in the week the
force forms: a pledge is taken as a force, as before this stage existed.

The stage exists because the record separates an offer from troops in theatre:
Pakistan's parliament is to be consulted and Azerbaijan needs parliamentary
approval (../shared/facts/isf_positions_T0.md); seed 003 puts governance (the
Board of Peace) first, then troops. See docs/model.md, 'Deployment'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules import short_axis, withdrawal, world
from sim.scenario.arrays import Compiled, has_shocks
from sim.scenario.params import Params

NEVER = -1
"""Arrival week of a contingent that is not in theatre by the end of the watch."""


@dataclass
class Arrivals:
    """When each contingent of each run reached the theatre."""

    week: np.ndarray  # (R, S) first week in theatre, NEVER where it did not arrive
    vote: np.ndarray  # (R, S) 1 passed, 0 failed, -1 no vote held (none needed, or no force)
    shocks: withdrawal.Shocks | None = None  # suspensions and withdrawals, where they act

    def first(self) -> np.ndarray:
        """(R,): the week the first contingent arrived, NEVER where none did."""
        week = np.where(self.week >= 0, self.week, np.iinfo(np.int64).max)
        first = week.min(axis=1, initial=np.iinfo(np.int64).max)
        return np.where(first == np.iinfo(np.int64).max, NEVER, first)


def staged(C: Compiled, mech) -> bool:
    """The scenario has a deployment stage and the mechanism is on."""
    return C.scenario.deployment is not None and bool(mech.deployment)


def shocked(C: Compiled, mech) -> bool:
    """Shocks act: a staged scenario declaring events or an incident hazard in
    theatre, with `mechanisms.withdrawal` on (`sim.rules.withdrawal`)."""
    return staged(C, mech) and has_shocks(C.scenario) and bool(mech.withdrawal)


def arrivals(
    C: Compiled,
    P: Params,
    outcome: np.ndarray,
    end: np.ndarray,
    counted: np.ndarray,
    pledge: np.ndarray,
    cond: np.ndarray,
    made: np.ndarray,
    consent_ok: np.ndarray,
    votes: np.ndarray,
    world_u: np.ndarray,
    mech,
    kind: np.ndarray | None = None,
    shock_u: np.ndarray | None = None,
) -> Arrivals:
    """Arrival weeks of the runs' contingents.

    `outcome`, `end` (R,) how and when each run's negotiation ended; `counted`,
    `pledge` (R, S) its final contingents; `cond` (R, W) the world conditions at
    its end; `made` (R, C) the concessions made; `consent_ok` (R,) every host
    consents; `votes` (R, S) the approval votes' uniforms; `world_u` (R, H, W) the
    world conditions' uniforms for every week watched (1..H); `kind` (R, S) the
    contingents' kinds and `shock_u` (R, H, E + 2S) the shocks' uniforms, where the
    scenario declares shocks (`sim.rules.withdrawal`)."""
    formed = (outcome == 1) | (outcome == 2)
    contingent = formed[:, None] & counted & (pledge > 0)
    if not staged(C, mech):
        week = np.where(contingent, end[:, None], NEVER)
        return Arrivals(week, np.full(week.shape, -1))
    voted = contingent & C.deploy_vote[None, :]
    passed = votes < P.deploy.approval_p
    lag = np.where(np.isnan(P.deploy.lag), P.deploy.lag_default[:, None], P.deploy.lag)
    ready = end[:, None] + C.deploy_weeks[None, :] + np.ceil(lag - 1e-9).astype(np.int64)
    opens = first_open_week(C, P, cond, made, consent_ok, end, world_u, mech)
    H = world_u.shape[1]
    at = np.take_along_axis(opens, np.minimum(ready, H + 1), axis=1)
    ok = contingent & (~voted | passed) & (ready <= H) & (at <= H)
    vote = np.where(voted, passed.astype(np.int64), -1)
    week = np.where(ok, at, NEVER)
    if shock_u is None or kind is None or not shocked(C, mech):
        return Arrivals(week, vote)
    active = contingent & (~voted | passed)
    hit = withdrawal.shocks(C, P, end, active, week, kind, shock_u)
    return Arrivals(hit.first_present(), vote, hit)


def first_open_week(C, P, cond, made, consent_ok, end, world_u, mech) -> np.ndarray:
    """(R, H + 2): for each week t (0..H+1), the first week >= t, from the run's end
    on, in which the force may enter; H + 1 where there is none by the end of the
    watch."""
    R, H = world_u.shape[0], world_u.shape[1]
    need = C.deploy_requires
    host = consent_ok | (not C.scenario.deployment.host_consent)
    now = cond.copy()
    entry = np.zeros((R, H + 2), bool)
    evolve = bool(mech.world_conditions) and cond.shape[1] > 0
    for t in range(1, H + 1):
        later = t > end
        if evolve and later.any():
            step = world.evolve(
                now, t, world_u[:, t - 1], P.env.world_hazard, C.world_from, C.world_by, made
            )
            now = np.where(later[:, None], step, now)
        holds = short_axis.all_last(now[:, need]) if need.any() else np.ones(R, bool)
        entry[:, t] = (t >= end) & holds & host
    opens = np.full((R, H + 2), H + 1)
    for t in range(H, -1, -1):
        opens[:, t] = np.where(entry[:, t], t, opens[:, t + 1])
    return opens


def strength(
    week: np.ndarray,
    pledge: np.ndarray,
    counted: np.ndarray,
    in_theatre: float,
    H: int,
    present: np.ndarray | None = None,
) -> np.ndarray:
    """(R, H): deployed strength at the end of each week 1..H: the force already in
    theatre plus every counted pledge whose contingent has arrived (and, given
    `present` (R, S, H), is in theatre that week: not suspended nor withdrawn)."""
    size = np.where(week >= 0, pledge * counted, 0.0)
    if present is not None:
        return in_theatre + (size[:, :, None] * present).sum(axis=1)
    arrived = (week[:, :, None] >= 0) & (week[:, :, None] <= np.arange(1, H + 1)[None, None, :])
    return in_theatre + (size[:, :, None] * arrived).sum(axis=1)
