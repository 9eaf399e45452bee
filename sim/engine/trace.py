"""One run of the Mesa model, round by round, with what each round's decision saw.

Explanation and classroom play need more than the tidy tables: what the states
observed when they decided (peers' stances, the mandate after the terms firmed
up, the concessions already made), and what the model's own agents chose
before any human seat replaced it. `Trace` steps a `ForceModel` one round at a
time and keeps that, through the model's `overrides` hook; without a human
override the hook returns the decision unchanged, so the run is the engine's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.engine.draws import horizon
from sim.engine.record import Recorder
from sim.rules import payoff
from sim.rules.decide import Decision
from sim.scenario.arrays import Compiled
from sim.scenario.params import Params

if TYPE_CHECKING:
    from sim.engine.model import ForceModel


@dataclass
class Snapshot:
    """What one round's decision was made on, and what was decided."""

    t: int
    mandate: np.ndarray  # (1, F) after the terms firmed up, before the broker moved
    observed: payoff.Observed
    noise: np.ndarray  # (1, S)
    made: np.ndarray  # (1, C) concessions made before this round
    accepts: np.ndarray  # (1, V) veto players accepting before this round
    consent_ok: np.ndarray  # (1,) hosts consenting before this round
    proposed: Decision  # the model's own decision for every state
    decision: Decision  # as adopted (after any override)


@dataclass
class Trace:
    """A single run, stepped by the caller or run to its end."""

    C: Compiled
    seed: int
    run: int
    override: Callable[[ForceModel, Decision], Decision] | None = None
    snapshots: list[Snapshot] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Mesa is imported here, by the first trace, not with this module: the web
        # page imports this module for its Watch and Class views, and Explore, the
        # page a server opens on, never steps a model (docs/performance.md).
        from sim.engine.model import ForceModel

        self.recorder = Recorder(self.C, self.run + 1, self.run + 1, first=self.run, count=1)
        self.model = ForceModel(self.C, self.seed, self.run, self.recorder, overrides=self._hook)

    def _hook(self, model: ForceModel, dec: Decision) -> Decision:
        made = (model.broker.made_round >= 0)[None]
        accepts = np.array([[v.accepts for v in model.veto_players]], bool).reshape(1, -1)
        consent_ok = np.array([all(h.consents for h in model.hosts)])
        adopted = self.override(model, dec) if self.override is not None else dec
        self.snapshots.append(
            Snapshot(
                t=model.t,
                mandate=model.mandate.copy(),
                observed=model._observed(),
                noise=model.draws.noise[:, model.t - 1],
                made=made,
                accepts=accepts,
                consent_ok=consent_ok,
                proposed=dec,
                decision=adopted,
            )
        )
        return adopted

    @property
    def running(self) -> bool:
        """Whether another round remains (no outcome yet, deadline not passed)."""
        return bool(self.model.running) and self.model.steps < horizon(self.C)

    def step(self) -> None:
        """One week of negotiation."""
        self.model.step()

    def run_to_end(self) -> Trace:
        """Step until the run ends; return self."""
        while self.running:
            self.step()
        return self

    @property
    def params(self) -> Params:
        """The run's parameter values (ranges sampled for this run)."""
        return self.model.P

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy tables of this run (the same rows the ensemble records for it).

        Before the run has ended, only the rounds played so far: `states` and
        `rounds`, and an empty `runs`.
        """
        rec = self.recorder
        if rec.recorded:
            return rec.tables()
        return {**rec.tables(("states", "rounds")), "runs": pd.DataFrame()}
