"""The Mesa model: one run, one agent per actor, the readable reference.

Each agent keeps its own state (a contributor its stance, kind, pledge and
side payments; the broker its budget and concessions; a veto player its
acceptance; a host its consent). Each round the model asks them to act in the
order of docs/model.md. The arithmetic is done by the shared rule functions in
`sim.rules`, on arrays of one run, so this model and the fast engine give the
same numbers for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np

from sim.engine.draws import draw_one, generator, horizon, parameters
from sim.engine.record import Recorder, RoundView
from sim.rules import actors, broker, decide, events, payoff
from sim.rules.terms import apply_changes, firm_up
from sim.scenario.arrays import STANCES, Compiled

Overrides = Callable[["ForceModel", decide.Decision], decide.Decision]
"""Replaces (some of) a round's decisions before the agents adopt them."""


class Contributor(mesa.Agent):
    """A would-be contributor state."""

    def __init__(self, model: ForceModel, index: int, code: str) -> None:
        super().__init__(model)
        P = model.P
        self.index, self.code = index, code
        self.name = model.C.scenario.states[code].name
        self.stance = int(P["initial_stance"][0, index])
        pledge = float(P["initial_pledge"][0, index])
        self.kind = int(P["initial_kind"][0, index]) if pledge > 0 else -1
        self.pledge = pledge
        self.side_payment = 0.0
        self.paid = 0.0
        self.counted = False

    def adopt(self, dec: decide.Decision, counted: np.ndarray) -> None:
        """Take this round's decision (made simultaneously with every other state)."""
        i = self.index
        self.stance = int(dec.stance[0, i])
        self.kind = int(dec.kind[0, i])
        self.pledge = float(dec.pledge[0, i])
        self.counted = bool(counted[0, i])

    def receive(self, payment: float, effect: float) -> None:
        """A side payment from the broker raises this state's payoff from now on."""
        self.side_payment += payment * effect
        self.paid += payment

    @property
    def stance_name(self) -> str:
        """The stance as a word."""
        return STANCES[self.stance]


class Broker(mesa.Agent):
    """The actor assembling the force: firms up the terms, concedes, pays."""

    def __init__(self, model: ForceModel) -> None:
        super().__init__(model)
        self.budget = float(model.P["budget"][0])
        self.made_round = np.full(len(model.C.concessions), -1)

    def firm_up_terms(self) -> None:
        """Terms firm up at the pace of the broker's engagement."""
        m = self.model
        col = m.C.cols.col[m.C.scenario.force.clarity_term]
        m.mandate = firm_up(m.mandate, col, m.P["engagement"])

    def move(self, dec: decide.Decision) -> tuple[int, int]:
        """Make at most one concession and one side payment; return what was done."""
        m = self.model
        made = self.made_round[None] >= 0
        accepts = np.array([[v.accepts for v in m.veto_players]], bool).reshape(1, -1)
        j = int(broker.concede(m.C, m.P, dec, m.force_array(), made, accepts, m.t, m.mech)[0])
        if j >= 0:
            m.mandate = apply_changes(m.mandate, m.C.concession_changes[j])
            self.made_round[j] = m.t
        paid = np.array([[s.paid for s in m.contributors]])
        budget = np.array([self.budget])
        to, pay = broker.side_payment(m.C, m.P, dec, m.force_array(), budget, paid, m.mech)
        to = int(to[0])
        if to >= 0:
            m.contributors[to].receive(float(pay[0]), float(m.P["side_payment_effect"][0]))
        self.budget = float((budget - pay)[0])
        return j, to


class VetoPlayer(mesa.Agent):
    """An actor whose acceptance the mandate needs (e.g. a host state, the Council)."""

    def __init__(self, model: ForceModel, index: int, vid: str) -> None:
        super().__init__(model)
        self.index, self.vid = index, vid
        self.respond()

    def respond(self) -> None:
        """Recompute acceptance of the current mandate."""
        m = self.model
        self.acceptance = float(actors.acceptance_of(m.C, m.P, m.mandate, self.index)[0])
        self.accepts = bool(self.acceptance >= m.P["veto_threshold"][0, self.index])


class HostActor(mesa.Agent):
    """A host-side actor whose consent sets the risk contributors face."""

    def __init__(self, model: ForceModel, index: int, hid: str) -> None:
        super().__init__(model)
        self.index, self.hid = index, hid
        self.respond()

    def respond(self) -> None:
        """Recompute consent to the current mandate."""
        m = self.model
        self.consent = float(actors.consent_of(m.C, m.P, m.mandate, self.index)[0])
        self.consents = bool(self.consent >= m.P["host_threshold"][0, self.index])


class ForceModel(mesa.Model):
    """One run of a scenario: contributors, a broker, veto players and hosts."""

    def __init__(
        self,
        C: Compiled,
        seed: int,
        run: int,
        recorder: Recorder | None = None,
        overrides: Overrides | None = None,
    ) -> None:
        """`overrides(model, decision) -> decision`, if given, is applied to each
        round's decision before the agents adopt it (a human seat in classroom
        play; a tracer in explain). Without it the run is exactly the engine's."""
        rng = generator(seed, run)
        self.draws = draw_one(C, rng)  # all of the run's draws, before Mesa touches rng
        super().__init__(rng=rng)
        self.C, self.run, self.recorder = C, run, recorder
        self.overrides = overrides
        self.mech = C.scenario.run.mechanisms
        self.P = parameters(C, self.draws.ranges)
        self.mandate = C.mandate0[None].copy()
        self.t = 0
        self.level = np.zeros(1)
        self.outcome = 0
        self.end = 0
        self.contributors = [Contributor(self, i, code) for i, code in enumerate(C.states)]
        self.broker = Broker(self)
        self.veto_players = [VetoPlayer(self, j, v) for j, v in enumerate(C.veto_ids)]
        self.hosts = [HostActor(self, h, hid) for h, hid in enumerate(C.host_ids)]
        stance = np.array([[s.stance for s in self.contributors]])
        kind = np.array([[s.kind for s in self.contributors]])
        counted = decide.counted_from(self.P, stance, kind, self.mech)
        for s in self.contributors:
            s.counted = bool(counted[0, s.index])
        pledges = np.array([[s.pledge for s in self.contributors]])
        self.force = float((pledges * counted).sum(axis=1)[0])

    def force_array(self) -> np.ndarray:
        """The counted force as a one-run array."""
        return np.array([self.force])

    def _observed(self) -> payoff.Observed:
        consent = np.array([[h.consent for h in self.hosts]]).reshape(1, -1)
        return payoff.Observed(
            stance=np.array([[s.stance for s in self.contributors]], np.int64),
            force=self.force_array(),
            consent=actors.lowest(consent),
            level=self.level,
            side=np.array([[s.side_payment for s in self.contributors]]),
            own=np.array([[s.pledge * s.counted for s in self.contributors]]),
        )

    def step(self) -> None:
        """One week of negotiation, in the order of docs/model.md."""
        C, P, t = self.C, self.P, self.steps
        self.t = t
        self.broker.firm_up_terms()
        made = self.broker.made_round[None] >= 0
        accepts = np.array([[v.accepts for v in self.veto_players]], bool).reshape(1, -1)
        consent_ok = np.array([all(h.consents for h in self.hosts)])
        noise = self.draws.noise[:, t - 1]
        dec = decide.decide(
            C, P, self.mandate, self._observed(), noise, self.mech, made, accepts, consent_ok
        )
        if self.overrides is not None:
            dec = self.overrides(self, dec)
        counted = decide.counted(C, P, dec, self.mech)
        for s in self.contributors:
            s.adopt(dec, counted)
        self.force = float((dec.pledge * counted).sum(axis=1)[0])
        conc, to = self.broker.move(dec)
        for v in self.veto_players:
            v.respond()
        for h in self.hosts:
            h.respond()
        consent = np.array([[h.consent for h in self.hosts]]).reshape(1, -1)
        n_inc, self.level = events.incidents(
            C,
            P,
            self.mandate,
            actors.lowest(consent),
            self.level,
            self.draws.slots[:, t - 1],
            self.mech,
        )
        accept = np.array([[v.acceptance for v in self.veto_players]]).reshape(1, -1)
        accepts = np.array([[v.accepts for v in self.veto_players]], bool).reshape(1, -1)
        deployable = accepts.all(axis=1) | (not self.mech.vetoes)
        self.outcome = int(
            events.outcome(
                self.force_array(), P["target"], P["minimum_viable"], deployable, t, horizon(C)
            )[0]
        )
        if self.recorder is not None:
            self.recorder.round(
                RoundView(
                    np.array([self.run]),
                    t,
                    dec,
                    counted,
                    self.mandate,
                    self.force_array(),
                    accept,
                    accepts,
                    consent,
                    n_inc,
                    self.level,
                    np.array([conc]),
                    np.array([to]),
                )
            )
        if self.outcome:
            self.end = t
            self.running = False
            self._finish(counted)

    def _finish(self, counted: np.ndarray) -> None:
        if self.recorder is None:
            return
        spent = float(self.P["budget"][0]) - self.broker.budget
        self.recorder.finish(
            np.array([self.run]),
            np.array([self.outcome]),
            np.array([self.end]),
            self.force_array(),
            np.array([[s.stance for s in self.contributors]]),
            np.array([[s.kind for s in self.contributors]]),
            np.array([[s.pledge for s in self.contributors]]),
            counted,
            self.broker.made_round[None],
            np.array([spent]),
            np.array([[v.accepts for v in self.veto_players]], bool).reshape(1, -1),
        )
