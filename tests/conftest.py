"""Shared fixtures: small synthetic scenarios built from Python dicts.

A test states only what it needs; everything else comes from the defaults
below. The defaults are chosen so that a state's payoff is easy to read:

- a default contributor has risk tolerance 1, no domestic opposition, no
  conformity, no preferences and a clarity threshold of 0, so its payoff is
  its incentives (+ bandwagon + noise while those mechanisms are on);
- the default mandate is fully clear (clarity 1), carries only ceasefire
  monitoring, and does not allow national caveats;
- `police_trainers` are an out-of-theatre kind: a task red line does not bind them.

    def test_something(scenario, simulate):
        C = scenario(states={"PAK": {"incentives": {"ties": 0.4}}}, noise=False)
        t = simulate(C, runs=50, seed=17)
        ...

`scenario(...)` returns the compiled arrays (`compile_scenario(validate(d))`);
`scenario_spec(...)` returns the raw mapping before validation.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim import parallel
from sim.cli import main
from sim.engine.ensemble import run_ensemble
from sim.scenario.arrays import Compiled, compile_scenario
from sim.scenario.loader import merge, validate

SEED = 17
"""The seed every mechanism test runs under unless it says otherwise."""


@pytest.fixture(autouse=True)
def _no_command_window(monkeypatch) -> None:
    """A test that runs the command line in this process (`sim.cli.main`) starts the
    worker policy's window on the machine (`sim.workers.mark`); the next test starts
    without it, as a library call does."""
    from sim import workers

    monkeypatch.setattr(workers, "_window", None)


TASKS = ["ceasefire_monitoring", "police_training", "weapons_decommissioning"]

VOCABULARY = {
    "use_of_force": {
        "kind": "ordinal",
        "levels": ["self_defence", "defence_of_mandate", "enforcement"],
    },
    "tasks": {"kind": "task_set", "levels": TASKS},
    "national_caveats": {"kind": "boolean"},
    "clarity": {"kind": "number"},
}

KINDS = {
    "troops": {"label": "Combat troops", "unit": 100},
    "police_trainers": {
        "label": "Police trainers",
        "unit": 10,
        "exposure": 0.0,
        "risk": 0.1,
        "in_theatre": False,
    },
}

MANDATE = {
    "use_of_force": "defence_of_mandate",
    "tasks": ["ceasefire_monitoring"],
    "national_caveats": False,
    "clarity": 1.0,
}

STATE = {
    "blocs": [],
    "offers": {"troops": 1000},
    "incentives": {"ties": 0.4},
    "risk_tolerance": 1.0,
    "domestic_opposition": 0.0,
    "conformity": 0.0,
    "clarity_threshold": 0.0,
}

BROKER = {
    "id": "USA",
    "name": "United States",
    "target": 1000,
    "minimum_viable": 500,
    "deadline": 12,
    "engagement": 0.1,
    "patience": 2,
    "concessions": [],
}

BLOCS = {"oic": "Organisation of Islamic Cooperation", "nato": "NATO"}


def spec(
    states: dict[str, dict] | None = None,
    *,
    mandate: dict | None = None,
    broker: dict | None = None,
    veto_players: dict[str, dict] | None = None,
    hosts: dict[str, dict] | None = None,
    environment: dict | None = None,
    decision: dict | None = None,
    force: dict | None = None,
    peer_influence: dict[str, str] | None = None,
    world: dict[str, dict] | None = None,
    deployment_stage: dict | None = None,
    events: dict[str, dict] | None = None,
    **mechanisms: bool,
) -> dict[str, Any]:
    """A scenario mapping: the defaults with these overrides deep-merged in.

    `states` maps a code to its fields; each is merged onto the default
    contributor. `deployment_stage` is the scenario's `deployment:` block, `events`
    its `events:` (shocks in that stage). Keyword
    switches (`noise=False`, `vetoes=False`, `deployment=False`, ...) set
    `run.mechanisms`.
    """
    states = states if states is not None else {"PAK": {}}
    d: dict[str, Any] = {
        "name": "synthetic",
        "title": "Synthetic mechanism scenario",
        "vocabulary": copy.deepcopy(VOCABULARY),
        "blocs": dict(BLOCS),
        "kinds": copy.deepcopy(KINDS),
        "mandate": merge(copy.deepcopy(MANDATE), mandate or {}),
        "states": {
            code: merge({"name": code, **copy.deepcopy(STATE)}, fields or {})
            for code, fields in states.items()
        },
        "broker": merge(copy.deepcopy(BROKER), broker or {}),
        "veto_players": copy.deepcopy(veto_players or {}),
        "hosts": copy.deepcopy(hosts or {}),
        "environment": copy.deepcopy(environment or {}),
        "decision": copy.deepcopy(decision or {}),
        "force": copy.deepcopy(force or {"counts": ["troops"]}),
        "peer_influence": dict(peer_influence or {}),
    }
    if world:
        d["world"] = copy.deepcopy(world)
    if deployment_stage is not None:
        d["deployment"] = copy.deepcopy(deployment_stage)
    if events:
        d["events"] = copy.deepcopy(events)
    deadline = d["broker"]["deadline"]
    d["run"] = {"rounds": deadline, "runs": 8, "seed": SEED, "mechanisms": dict(mechanisms)}
    return d


def build(states: dict[str, dict] | None = None, **overrides: Any) -> Compiled:
    """`spec(...)`, validated and compiled to the arrays the rules read."""
    return compile_scenario(validate(spec(states, **overrides)))


@pytest.fixture
def scenario_spec():
    """Factory: the raw scenario mapping `spec(...)` builds, before validation."""
    return spec


@pytest.fixture
def scenario():
    """Factory: `scenario(states={...}, mandate={...}, noise=False, ...)` -> Compiled."""
    return build


def simulate_tables(
    C: Compiled, runs: int = 8, seed: int = SEED, engine: str = "fast"
) -> dict[str, pd.DataFrame]:
    """Run an ensemble keeping per-round detail for every run."""
    return run_ensemble(C, runs=runs, seed=seed, detail=runs, engine=engine)


@pytest.fixture
def simulate():
    """`simulate(C, runs=8, seed=17, engine="fast")` -> the tidy tables, detail for all runs."""
    return simulate_tables


@pytest.fixture
def registry():
    """A server's classes of its own (`sim.web.classroom.Registry`, the web extra); every
    class's game thread is stopped after the test."""
    from sim.web.classroom import Registry

    reg = Registry()
    yield reg
    for session in reg.sessions.values():
        session.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Axelrod-style contracts: a test class with a `cases` mapping (name ->
    keyword arguments of `scenario`) runs each `case`-taking test on each one."""
    cases = getattr(metafunc.cls, "cases", None)
    if cases and "case" in metafunc.fixturenames:
        metafunc.parametrize("case", list(cases.values()), ids=list(cases))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The browser tests (tests/web, the slowest files) first, each file's tests kept
    in their order: under `pytest -n` (pyproject's addopts) whole files go to the
    workers in this order, so the long files start early instead of ending the run
    on one worker while the other waits. No test depends on another file's."""
    web = Path(__file__).parent / "web"
    items.sort(key=lambda item: web not in Path(item.path).parents)


@pytest.fixture
def forcegen(monkeypatch, capsys):
    """Run `forcegen ARGS` in this process; return (exit status, stdout, stderr)."""
    names = (*parallel.BLAS_THREADS, parallel.ARROW_NO_THREAD[0], "MPLBACKEND")
    saved = {var: os.environ.get(var) for var in names}  # `main` sets these

    def call(*args: object) -> tuple[int, str, str]:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["forcegen", *map(str, args)])
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 0
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    yield call
    for var, value in saved.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
