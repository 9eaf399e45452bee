"""The contract every mechanism scenario keeps, whatever the mechanism.

A mechanism test module declares its scenarios once, in a class that inherits
this contract (as Axelrod's strategy tests inherit `TestPlayer`):

    class TestRedLineScenarios(EngineContract):
        cases = {"no caveat": dict(states=..., mandate=...), ...}

Each case is the keyword arguments of the `scenario` fixture; the tests below
run on every case (see `pytest_generate_tests` in tests/conftest.py).
"""

from __future__ import annotations

from typing import ClassVar

import pandas as pd

TABLES = ("runs", "states", "rounds")


class EngineContract:
    """Reproducibility and engine agreement, for every case in `cases`."""

    cases: ClassVar[dict[str, dict]] = {}
    runs = 24
    mesa_runs = 8

    def test_same_seed_gives_identical_tables(self, case, scenario, simulate):
        first = simulate(scenario(**case), runs=self.runs)
        again = simulate(scenario(**case), runs=self.runs)
        for name, table in first.items():
            pd.testing.assert_frame_equal(table, again[name], obj=name)

    def test_a_run_does_not_depend_on_how_many_runs_were_made(self, case, scenario, simulate):
        C = scenario(**case)
        many = simulate(C, runs=self.runs)
        few = simulate(C, runs=self.mesa_runs)
        for name in TABLES:
            head = many[name][many[name]["run"] < self.mesa_runs]
            assert head.to_csv(index=False) == few[name].to_csv(index=False), name

    def test_mesa_engine_matches_fast_engine(self, case, scenario, simulate):
        C = scenario(**case)
        fast = simulate(C, runs=self.mesa_runs, engine="fast")
        mesa = simulate(C, runs=self.mesa_runs, engine="mesa")
        for name in TABLES:
            assert len(fast[name]) > 0, name
            assert mesa[name].to_csv(index=False) == fast[name].to_csv(index=False), name
