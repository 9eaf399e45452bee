"""A run's draws follow the order `sim.engine.draws` documents, one generator call per
group, whether drawn in a batch (`draw_many`) or alone (`draw_one`, the Mesa model's)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.draws import DRAWN, draw_many, draw_one, generator, horizon, late_ranges, watched
from sim.rules.events import SLOTS
from sim.scenario.arrays import compile_scenario
from sim.scenario.loader import load

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def documented(C, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One run's draws as the module's docstring lists them, group by group."""
    T, S, W = horizon(C), len(C.states), len(C.world_names)
    world, deploy, bar, shock, caveat = late_ranges(C)
    first = len(C.ranges) - world - deploy - bar - shock - caveat
    ranges = [rng.random(first)]
    noise = rng.standard_normal((T, S))
    slots = np.zeros((T, SLOTS + W))
    slots[:, :SLOTS] = rng.random((T, SLOTS))
    out = {"votes": np.zeros(0), "after": np.zeros((watched(C) - T, W)),
           "bars": np.zeros(len(C.bar_state)), "shocks": np.zeros((watched(C), 0))}  # fmt: skip
    if W:
        ranges.append(rng.random(world))
        slots[:, SLOTS:] = rng.random((T, W))
    if C.scenario.deployment is not None:
        ranges.append(rng.random(deploy))
        out["votes"], out["after"] = rng.random(S), rng.random((watched(C) - T, W))
    if len(C.bar_state):
        ranges.append(rng.random(bar))
        out["bars"] = rng.random(len(C.bar_state))
    if shock:
        ranges.append(rng.random(shock))
        out["shocks"] = rng.random((watched(C), len(C.event_names) + 2 * S))
    ranges.append(rng.random(caveat))
    return {"ranges": np.concatenate(ranges), "noise": noise, "slots": slots, **out}


@pytest.mark.parametrize(
    "path",
    ["teaching/res2803_shocks.yaml", "haiti2023/haiti2023.yaml", "unifil2006/unifil2006.yaml"],
)
def test_each_run_draws_its_groups_in_the_documented_order(path):
    C = compile_scenario(load(SCENARIOS / path))
    runs = np.array([0, 7, 41])
    batch = draw_many(C, 2803, runs)
    for i, run in enumerate(runs):
        expected = documented(C, generator(2803, int(run)))
        alone = draw_one(C, generator(2803, int(run)))
        for field in DRAWN:
            want = expected[field]
            assert np.array_equal(getattr(batch, field)[i], want), (path, field)
            assert np.array_equal(getattr(alone, field)[0], want), (path, field)
