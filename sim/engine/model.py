"""The Mesa model: one run, one agent per actor, the readable reference.

The model plays the same week as the fast engine (`sim.engine.round`), on a
world of one run. Its agents are real Mesa agents whose state is read from
that world, so `model.agents.select(...)`, `DataCollector` agent reporters and
Mesa's visualisation see what the rules computed, and there is no second copy
of the state to drift. A human seat replaces one agent's decision through the
`overrides` hook, between deciding and adopting.

    model = ForceModel(scenario="scenarios/isf/res2803.yaml")
    model.run_model()
    model.datacollector.get_agent_vars_dataframe()
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import mesa
import numpy as np

from sim.engine.draws import draw_one, generator, horizon, parameters
from sim.engine.record import Recorder
from sim.engine.round import World, finish, observed, play_week, start
from sim.rules import decide, payoff
from sim.scenario.arrays import OUTCOMES, STANCES, Compiled
from sim.scenario.schema import Scenario

Overrides = Callable[["ForceModel", decide.Decision], decide.Decision]
"""Replaces (some of) a week's decisions before the agents adopt them."""


class Contributor(mesa.Agent):
    """A would-be contributor state; its state is its column of the run's world."""

    def __init__(self, model: ForceModel, index: int, code: str) -> None:
        super().__init__(model)
        self.index, self.code = index, code
        self.name = model.C.scenario.states[code].name

    @property
    def _w(self) -> World:
        return self.model.world

    @property
    def stance(self) -> int:
        """Stance index (0 declined ... 4 committed)."""
        return int(self._w.stance[0, self.index])

    @property
    def stance_name(self) -> str:
        """The stance as a word."""
        return STANCES[self.stance]

    @property
    def kind(self) -> int:
        """Index of the contribution kind on the table, -1 for none."""
        return int(self._w.kind[0, self.index])

    @property
    def kind_name(self) -> str:
        """The contribution kind's id, '' for none."""
        return self.model.C.kinds[self.kind] if self.kind >= 0 else ""

    @property
    def pledge(self) -> float:
        """Pledge size in the kind's measure."""
        return float(self._w.pledge[0, self.index])

    @property
    def package(self) -> dict[str, float]:
        """The package parts the state brings besides its lead kind: kind -> size."""
        C, parts = self.model.C, self._w.parts[0, self.index]
        return {C.kinds[C.slot_kind[self.index, k]]: float(v) for k, v in enumerate(parts) if v > 0}

    @property
    def counted(self) -> bool:
        """Whether the pledge counts toward the target."""
        return bool(self._w.counted[0, self.index])

    @property
    def side_payment(self) -> float:
        """Side payments received, times their effect on the payoff."""
        return float(self._w.side[0, self.index])

    @property
    def paid(self) -> float:
        """Side payments received."""
        return float(self._w.paid[0, self.index])


class Broker(mesa.Agent):
    """The actor assembling the force: firms up the terms, concedes, pays."""

    @property
    def budget(self) -> float:
        """Side-payment budget left."""
        return float(self.model.world.budget[0])

    @property
    def made_round(self) -> np.ndarray:
        """Week each concession was made, -1 for not made."""
        return self.model.world.made_round[0]


class VetoPlayer(mesa.Agent):
    """An actor whose acceptance the mandate needs (e.g. a host state, the Council)."""

    def __init__(self, model: ForceModel, index: int, vid: str) -> None:
        super().__init__(model)
        self.index, self.vid = index, vid

    @property
    def acceptance(self) -> float:
        """Acceptance of the mandate as it stands."""
        return float(self.model.world.accept[0, self.index])

    @property
    def accepts(self) -> bool:
        """Whether acceptance reaches its threshold."""
        return bool(self.model.world.accepts[0, self.index])


class HostActor(mesa.Agent):
    """A host-side actor whose consent sets the risk contributors face."""

    def __init__(self, model: ForceModel, index: int, hid: str) -> None:
        super().__init__(model)
        self.index, self.hid = index, hid

    @property
    def consent(self) -> float:
        """Consent to the mandate as it stands."""
        return float(self.model.world.consent[0, self.index])

    @property
    def consents(self) -> bool:
        """Whether consent reaches its threshold."""
        return bool(self.consent >= self.model.P.host.threshold[0, self.index])


def _compiled(scenario: Compiled | Scenario | str | Path) -> Compiled:
    """A compiled scenario from a path, a loaded scenario or a compiled one."""
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.loader import load

    if isinstance(scenario, Compiled):
        return scenario
    if isinstance(scenario, str | Path):
        scenario = load(scenario)
    return compile_scenario(scenario)


class ForceModel(mesa.Model):
    """One run of a scenario: contributors, a broker, veto players and hosts."""

    def __init__(
        self,
        scenario: Compiled | Scenario | str | Path,
        seed: int | None = None,
        run: int = 0,
        recorder: Recorder | None = None,
        overrides: Overrides | None = None,
    ) -> None:
        """`scenario` is a path, a loaded or a compiled scenario; `seed` defaults
        to the scenario's. Run `run` draws from the run-th child of the seed, as
        run `run` of an ensemble does. `overrides(model, decision) -> decision`,
        if given, is applied to each week's decision before the agents adopt it
        (a human seat in classroom play; a tracer in explain). Without it the
        run is exactly the engine's."""
        C = _compiled(scenario)
        seed = C.scenario.run.seed if seed is None else seed
        rng = generator(seed, run)
        self.draws = draw_one(C, rng)  # all of the run's draws, before Mesa touches rng
        super().__init__(rng=rng)
        self.C, self.run, self.recorder = C, run, recorder
        self.overrides = overrides
        self.mech = C.scenario.run.mechanisms
        self.P = parameters(C, self.draws.ranges, self.draws.bars)
        self.world = start(C, self.P, 1, self.mech)
        self.t = 0
        self.contributors = [Contributor(self, i, code) for i, code in enumerate(C.states)]
        self.broker = Broker(self)
        self.veto_players = [VetoPlayer(self, j, v) for j, v in enumerate(C.veto_ids)]
        self.hosts = [HostActor(self, h, hid) for h, hid in enumerate(C.host_ids)]
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "force": "force",
                "outcome": "outcome_name",
                **{f"accept.{v}": partial(_acceptance, j=j) for j, v in enumerate(C.veto_ids)},
            },
            agent_reporters={
                "stance": [_attr, ["stance_name"]],
                "kind": [_attr, ["kind_name"]],
                "pledge": [_attr, ["pledge"]],
            },
        )
        self.datacollector.collect(self)

    @property
    def mandate(self) -> np.ndarray:
        """The mandate as a (1, F) row."""
        return self.world.m

    @property
    def force(self) -> float:
        """The counted force."""
        return float(self.world.force[0])

    @property
    def level(self) -> np.ndarray:
        """The incident level, as a one-run array."""
        return self.world.level

    @property
    def outcome(self) -> int:
        """Index into OUTCOMES: 0 while negotiating."""
        return int(self.world.outcome[0])

    @property
    def outcome_name(self) -> str:
        """'running', 'formed', 'undersized' or 'stalled'."""
        return OUTCOMES[self.outcome]

    @property
    def end(self) -> int:
        """Week the run ended, 0 while negotiating."""
        return int(self.world.end[0])

    def _observed(self) -> payoff.Observed:
        return observed(self.world)

    def _override(self, dec: decide.Decision) -> decide.Decision:
        return self.overrides(self, dec)

    def step(self) -> None:
        """One week of negotiation (`sim.engine.round.PHASES`)."""
        self.t = t = self.steps
        hook = self._override if self.overrides is not None else None
        draws = self.draws
        week = play_week(
            self.C,
            self.P,
            self.world,
            t,
            draws.noise[:, t - 1],
            draws.slots[:, t - 1],
            self.mech,
            hook,
        )
        if self.recorder is not None:
            self.recorder.round(week.view(np.array([self.run])))
        self.datacollector.collect(self)
        if self.outcome or t >= horizon(self.C):
            self.running = False
            if self.recorder is not None:
                finish(self.recorder, np.array([self.run]), self.world, self.C, self.P, self.draws)


def _acceptance(model: ForceModel, j: int) -> float:
    """A veto player's acceptance, for the data collector."""
    return float(model.world.accept[0, j])


def _attr(agent: mesa.Agent, name: str) -> object:
    """An agent's attribute for the data collector; None for the agents without it
    (the broker, veto players and hosts have no stance), whatever the Mesa version."""
    return getattr(agent, name, None)
