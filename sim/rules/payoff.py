"""The payoff for joining, split into its named components.

U[r, s, k] = visibility_k * incentives - exposure_k * (distance + domestic)
             - risk_k * risk + conformity + bandwagon + side_payment + noise
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.rules import caveats as state_caveats
from sim.rules import jit, kinds, red_lines
from sim.rules.terms import evaluate
from sim.scenario.arrays import COMMITTED, DECLINED, Compiled
from sim.scenario.params import Params


@dataclass
class Observed:
    """What every state saw at the end of the previous round."""

    stance: np.ndarray  # (R, S) int
    force: np.ndarray  # (R,) counted force
    consent: np.ndarray  # (R,) least consenting host
    level: np.ndarray  # (R,) incident level
    side: np.ndarray  # (R, S) side payments received (payoff units)
    own: np.ndarray  # (R, S) each state's own counted pledge
    cond: np.ndarray | None = None  # (R, W) declared world conditions (`world:`)


def incentives(C: Compiled, P: Params, m: np.ndarray) -> np.ndarray:
    """Named benefits, each scaled by the mandate (e.g. reimbursement needs funding)."""
    R, S = m.shape[0], len(C.states)
    scales = [evaluate(lin, m, P.env.incentive_scale_base[:, n])
              for n, lin in enumerate(C.incentive_lin)]  # fmt: skip
    if jit.compiled() and scales:
        return _incentives_loop(P.state.incentives, np.stack(scales, axis=1))
    out = np.zeros((R, S))
    for n, scale in enumerate(scales):
        out = out + P.state.incentives[:, :, n] * scale[:, None]
    return out


@jit.kernel
def _incentives_loop(weights, scales):
    """`incentives` run by run (`incentives_row`)."""
    R, S = scales.shape[0], weights.shape[1]
    out = np.zeros((R, S))
    for r in range(R):
        incentives_row(weights[r if weights.shape[0] > 1 else 0], scales[r], out[r])
    return out


@jit.row
def incentives_row(weights, scales, out):
    """One run's benefits (S,): each state's added one at a time, in order."""
    for s in range(weights.shape[0]):
        acc = 0.0
        for n in range(scales.shape[0]):
            acc = acc + weights[s, n] * scales[n]
        out[s] = acc


def opted_out(C: Compiled, m: np.ndarray) -> np.ndarray:
    """Per-run caveat flag (R,): whether states may opt out of tasks."""
    return red_lines.caveats_allowed(C, m)


def distance(C: Compiled, P: Params, m: np.ndarray, caveats: np.ndarray) -> np.ndarray:
    """Salience-weighted distance from each state's ideal terms (R, S).

    Ordinal and number terms: |level - ideal| / (levels - 1); categorical and
    boolean: 0 or 1; a task counts 1/n_tasks when carried but not wanted (or
    wanted but not carried). A task the state opts out of is not carried by it.
    Entries are stored grouped by state; each state's entries are added one at a
    time, in order, so a compiled loop can add them in the same order.
    """
    pr = C.prefs
    R, S = m.shape[0], len(C.states)
    if not len(pr["owner"]):
        return np.zeros((R, S))
    if state_caveats.declared(C):  # tasks a state's own granted caveat excuses it from
        granted, excuses = state_caveats.granted(C, m), C.caveat_pref
    else:
        granted, excuses = np.zeros((R, 0), bool), np.zeros((0, len(pr["owner"])), bool)
    args = (m, pr["col"], pr["opt"], caveats, granted, excuses, pr["ideal"], pr["is_categorical"],
            pr["scale"], P.state.pref_salience, pr["owner"], S)  # fmt: skip
    return _distance_loop(*args) if jit.compiled() else _distance_numpy(*args)


def _distance_numpy(m, col, opt, caveats, granted, excuses, ideal, categorical, scale, salience,
                    owner, S):  # fmt: skip
    """`distance` with numpy: each entry's weighted distance, then each state's sum."""
    x = m[:, col]
    if opt.any():
        x = np.where(caveats[:, None] & opt[None, :], 0.0, x)
    if granted.shape[1]:
        x = np.where(state_caveats.excused(granted, excuses), 0.0, x)
    d = np.abs(x - ideal)
    if categorical.any():  # categorical and boolean terms: 0 or 1, whatever the distance
        d[:, categorical] = x[:, categorical] != ideal[categorical]
    contrib = salience * (d / scale)
    out = np.zeros((m.shape[0], S))
    first = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    ends = np.r_[first[1:], len(owner)]
    for i in range(int((ends - first).max())):  # the i-th entry of every state that has one
        has = first + i < ends
        out[:, owner[first[has]]] += contrib[:, first[has] + i]
    return out


@jit.kernel
def _distance_loop(m, col, opt, caveats, granted, excuses, ideal, categorical, scale, salience,
                   owner, S):  # fmt: skip
    """`_distance_numpy` run by run (`distance_row`)."""
    R = m.shape[0]
    out = np.zeros((R, S))
    excused = np.zeros(col.shape[0], np.bool_)
    for r in range(R):
        w = r if salience.shape[0] > 1 else 0
        distance_row(m[r], col, opt, caveats[r], granted[r], excuses, ideal, categorical, scale,
                      salience, w, owner, excused, out, r)  # fmt: skip
    return out


@jit.row
def distance_row(row, col, opt, caveats, granted, excuses, ideal, categorical, scale, salience,
                  w, owner, excused, out, r):  # fmt: skip
    """`_distance_numpy` on one run's mandate row, into `out[r]` (S,) of zeros, with
    the salience of row `w`: the same operations on each entry, in its order
    (`excused` (E,) is scratch space)."""
    for e in range(excused.shape[0]):
        excused[e] = False
    for g in range(granted.shape[0]):
        if granted[g]:
            for e in range(excused.shape[0]):
                excused[e] = excused[e] or excuses[g, e]
    for e in range(col.shape[0]):
        x = 0.0 if (opt[e] and caveats) or excused[e] else row[col[e]]
        d = (1.0 if x != ideal[e] else 0.0) if categorical[e] else abs(x - ideal[e])
        out[r, owner[e]] += salience[w, e] * (d / scale[e])


def perception(C: Compiled, P: Params, m: np.ndarray, caveats: np.ndarray, level) -> np.ndarray:
    """How the mandate reads at home in each state (R, S): positive = seen as
    serving the other side. Opted-out tasks do not count; incidents add."""
    base = evaluate(C.env["perception"], m, P.env.perception_base)
    base = base + P.env.incident_perception * level
    out = np.zeros((m.shape[0], len(C.states))) + base[:, None]
    for col, w in C.perception_task_cols:
        relief = np.where(caveats, w * m[:, col], 0.0)
        out = out - relief[:, None] * C.optout[:, col][None, :]
    if state_caveats.declared(C):
        out = out - state_caveats.perception_relief(C, m)
    return out


def risk(C: Compiled, P: Params, m: np.ndarray, consent: np.ndarray, level) -> np.ndarray:
    """Security risk of deploying (R,): posture, host consent and incidents."""
    r = evaluate(C.env["risk"], m, P.env.risk_base)
    return r + P.env.consent_risk * (1.0 - consent) + level


def conformity(C: Compiled, P: Params, stance: np.ndarray) -> np.ndarray:
    """Pull (or push) of the blocs a state follows (R, S): peers committed minus
    declined, as a share of its peers, each peer signed +1 for complementarity and
    -1 for free-riding (`Compiled.peers`; Gaibulloev et al. 2015)."""
    # ±1/0 products summed in floating point are exact integers, whatever the order:
    # one product of the signed stances gives the committed peers' sum less the declined
    # peers' (`tests/rules/test_conformity.py` checks the bytes against two products).
    peers = C.peers.T.astype(float)
    n = np.maximum(np.abs(C.peers).sum(axis=1), 1)
    signed = (stance == COMMITTED).astype(float) - (stance == DECLINED)
    return P.state.conformity * ((signed @ peers) / n)


def social(C, P, obs: Observed, noise: np.ndarray, mech) -> dict[str, np.ndarray]:
    """Components that do not depend on the mandate: peers, momentum, payments, noise."""
    zero = np.zeros(obs.stance.shape)
    others = obs.force[:, None] - obs.own
    band = P.decision.bandwagon[:, None] * np.minimum(1.0, others / P.broker.target[:, None])
    return {
        "conformity": conformity(C, P, obs.stance) if mech.conformity else zero,
        "bandwagon": (zero + band) if mech.bandwagon else zero,
        "side_payment": obs.side,
        "noise": P.decision.noise_sd[:, None] * noise if mech.noise else zero,
    }


def components(C, P, m, obs: Observed, soc: dict[str, np.ndarray], base=None, changed=()):
    """Every payoff component that does not depend on the contribution kind.

    With `base` (the components under another mandate, same runs) and the
    mandate columns `changed` since, a component that reads none of them is
    taken from `base`: the same inputs, so the same numbers, without the work.
    """
    reads = C.component_reads
    cav = opted_out(C, m)

    def fresh(name: str) -> bool:
        return base is None or not reads[name].isdisjoint(changed)

    out = {
        "incentives": incentives(C, P, m) if fresh("incentives") else base["incentives"],
        "distance": distance(C, P, m, cav) if fresh("distance") else base["distance"],
        "domestic": (
            P.state.domestic_opposition * perception(C, P, m, cav, obs.level)
            if fresh("domestic")
            else base["domestic"]
        ),
        "risk": (
            (1.0 - P.state.risk_tolerance) * risk(C, P, m, obs.consent, obs.level)[:, None]
            if fresh("risk")
            else base["risk"]
        ),
    }
    return {**out, **soc}


def social_sum(comp: dict[str, np.ndarray]) -> np.ndarray:
    """The components every offered kind shares (R, S), added in the order every payoff
    rule adds them: conformity, bandwagon, side payment, noise."""
    return comp["conformity"] + comp["bandwagon"] + comp["side_payment"] + comp["noise"]


def by_kind(comp: dict[str, np.ndarray], P: Params) -> np.ndarray:
    """The payoff of each offered kind (R, S, Kmax), in a fixed order of operations."""
    vis, exp_, rk = P.slot.visibility, P.slot.exposure, P.slot.risk
    social = social_sum(comp)
    cost = comp["distance"] + comp["domestic"]
    if jit.compiled():
        inc, risk = (np.broadcast_to(comp[c], social.shape) for c in ("incentives", "risk"))
        return _by_kind_loop(vis, exp_, rk, inc, cost, risk, social)
    u = vis * comp["incentives"][:, :, None]
    tmp = exp_ * cost[:, :, None]
    u -= tmp
    np.multiply(rk, comp["risk"][:, :, None], out=tmp)
    u -= tmp
    u += social[:, :, None]
    return u


@jit.kernel
def _by_kind_loop(vis, exp_, rk, inc, cost, risk, social):
    """`by_kind` slot by slot, in its order of operations."""
    R, S = social.shape
    K = vis.shape[2]
    u = np.empty((R, S, K))
    for r in range(R):
        a = r if vis.shape[0] > 1 else 0
        e = r if exp_.shape[0] > 1 else 0
        q = r if rk.shape[0] > 1 else 0
        for i in range(S):
            for k in range(K):
                x = vis[a, i, k] * inc[r, i]
                x = x - exp_[e, i, k] * cost[r, i]
                x = x - rk[q, i, k] * risk[r, i]
                u[r, i, k] = x + social[r, i]
    return u


def at_kind(comp: dict[str, np.ndarray], P: Params, slot: np.ndarray) -> dict[str, np.ndarray]:
    """Signed components at one offered kind (slot) per state: they add up to U."""
    vis, exp_, rk = (kinds.pick(a, slot) for a in (P.slot.visibility, P.slot.exposure, P.slot.risk))
    out = dict(comp)
    out["incentives"] = vis * comp["incentives"]
    out["distance"] = -exp_ * comp["distance"]
    out["domestic"] = -exp_ * comp["domestic"]
    out["risk"] = -rk * comp["risk"]
    return out
