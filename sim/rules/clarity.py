"""Clarity: how final the terms are, as each state needs them to be.

A state holds its stance until the terms it waits on are clear enough
(docs/model.md, 'Clarity gate'). What it waits on is a `number` term of the
mandate in [0, 1]: by default the force-wide one (`force.clarity_term`), or its
own (`states.X.clarity_term`), because states ask for clarity on different
things: France in 2006 on the rules of engagement, Italy on Hamas's disarmament,
Cyprus on the command structure and the rules of engagement. With `c_s` the
column of state s's term:

    gate[r, s] = m[r, c_s] >= clarity_threshold[r, s]     (always open with
                                                           `clarity_gate` off)

    firm-up, each week, for every clarity term c in use:
        m[r, c] <- min(1, m[r, c] + engagement[r])

Why one engagement for every term: the broker's week of engagement answers the
questions the contributors put, whichever they are; a term a concession sets
higher (`change: {roe_clarity: 0.9}`, an answer written down) then keeps rising
from there. A state whose gate is closed while the terms would otherwise bring
it in asks for the concession that opens it (`waiting`, used by
`sim.rules.decide` and `sim.rules.demands`).
"""

from __future__ import annotations

import numpy as np

from sim.scenario.arrays import Compiled
from sim.scenario.params import Params


def columns(C: Compiled) -> np.ndarray:
    """(S,): the mandate column of the term that gates each state."""
    if len(C.clarity_cols) == len(C.states):
        return C.clarity_cols
    return np.full(len(C.states), C.cols.col[C.scenario.force.clarity_term])


def firmed(C: Compiled) -> np.ndarray:
    """The columns the broker's engagement firms up: the force-wide term and every
    state's own, each once, in column order."""
    force = C.cols.col[C.scenario.force.clarity_term]
    return np.unique(np.append(columns(C), force))


def opened(C: Compiled, P: Params, m: np.ndarray) -> np.ndarray:
    """(R, S): each state's clarity term has reached its threshold on the mandate `m`."""
    return m[:, columns(C)] >= P.state.clarity_threshold


def gate(C: Compiled, P: Params, m: np.ndarray, mech) -> np.ndarray:
    """(R, S): the clarity gate is open (always, with the `clarity_gate` switch off)."""
    return opened(C, P, m) | (not mech.clarity_gate)


def waiting(gate_open: np.ndarray, needs: np.ndarray) -> np.ndarray:
    """(R, S): in on the present terms (needs no concession) but held by a closed gate:
    such a state asks for a concession that raises its clarity term past its threshold."""
    return ~gate_open & ~needs
