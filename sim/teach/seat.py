"""A human seat's choice, and the week's decision with it in place of the model's.

The Mesa model decides for every state; before the agents adopt the decision,
the human seats' answers replace the model's for their states (`ForceModel`'s
`overrides` hook). The broker hears a human demand like any other, crediting it
with the pledge the human names; the model's own demand for the seat, and its
credit, are removed. The model's own choice is kept (`Turn`) for the debrief.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from sim.rules import vetoes
from sim.rules.decide import Decision
from sim.scenario.arrays import CONDITIONAL, DECLINED, OFFERED, STANCES, Compiled
from sim.scenario.params import Params


@dataclass
class Choice:
    """One seat's choice in one week."""

    stance: str
    kind: str = ""  # "" when nothing is offered or named
    pledge: float = 0.0
    demand: str = ""  # a concession id, "" for none


@dataclass
class Turn:
    """A human seat's week: what it chose, what the model's agent would have chosen, why."""

    week: int
    code: str
    you: Choice
    model: Choice
    payoff: float
    components: dict[str, float]
    binding: str
    gate_open: bool
    clarity: float
    threshold: float


def apply_choices(
    C: Compiled, P: Params, dec: Decision, index: dict[str, int], choices: dict[str, Choice]
) -> Decision:
    """The round's decision with the human seats' choices in place of the model's.

    A demand is heard only from a declined or conditional seat (as in the model);
    the broker credits it with the pledge the human names, if that kind counts
    toward the target and the seat is not vetoed. The model's own demand for the
    seat, and its credit, are removed. A seat's choice ends any offer on the record
    it was holding (`sim.rules.stated`), and a seat brings the one kind it names,
    no package parts (`sim.rules.packages`). `dec` itself is left unchanged.
    """
    out = dataclasses.replace(
        dec,
        stance=dec.stance.copy(),
        kind=dec.kind.copy(),
        pledge=dec.pledge.copy(),
        demand=dec.demand.copy(),
        gain=dec.gain.copy(),
        best=dec.best.copy(),
        stated=None if dec.stated is None else dec.stated.copy(),
        parts=None if dec.parts is None else dec.parts.copy(),
    )
    barred = dec.barred if dec.barred is not None else vetoes.vetoed(P, C.scenario.run.mechanisms)
    for code, ch in choices.items():
        i = index[code]
        old = int(dec.demand[0, i])
        if old >= 0 and dec.pledge_if is not None:
            out.gain[0, old] -= dec.pledge_if[0, i, old]
        s = STANCES.index(ch.stance)
        k = C.kinds.index(ch.kind) if ch.kind else -1
        out.stance[0, i] = s
        if out.stated is not None:
            out.stated[0, i] = False  # a human's choice replaces any offer on the record
        if out.parts is not None:
            out.parts[0, i] = 0.0  # a seat names one kind; package parts are the model's
        out.kind[0, i] = k if s >= OFFERED else -1
        out.pledge[0, i] = ch.pledge if s >= OFFERED and k >= 0 else 0.0
        if k >= 0:
            out.best[0, i] = k
        j = C.concessions.index(ch.demand) if ch.demand else -1
        asks = j >= 0 and s in (DECLINED, CONDITIONAL)
        out.demand[0, i] = j if asks else -1
        if asks and k >= 0 and bool(P.kind.counts[0, k]) and not barred[0, i, k]:
            out.gain[0, j] += ch.pledge
    return out


def model_turn(
    C: Compiled, P: Params, dec: Decision, i: int, you: Choice, week: int, clarity: float
) -> Turn:
    """The seat's week: the human's choice beside the model's own decision for state i."""
    s = int(dec.stance[0, i])
    k = int(dec.kind[0, i])
    j = int(dec.demand[0, i])
    comp = {n: float(np.broadcast_to(v, dec.stance.shape)[0, i]) for n, v in dec.components.items()}
    b = int(dec.binding[0, i])
    return Turn(
        week=week,
        code=C.states[i],
        you=you,
        model=Choice(
            STANCES[s],
            C.kinds[k] if k >= 0 else "",
            float(dec.pledge[0, i]),
            C.concessions[j] if j >= 0 else "",
        ),
        payoff=float(dec.payoff[0, i]),
        components=comp,
        binding=C.red_ids[b] if b >= 0 else "",
        gate_open=bool(dec.gate_open[0, i]),
        clarity=clarity,
        threshold=float(P.state.clarity_threshold[0, i]),
    )
