"""Bounds on what input may ask for, in a module that imports nothing.

The scenario schema, the sweep file and the command line read them; the command
line checks its options before pydantic is loaded, so the numbers live here and
not in `sim.scenario.schema`.
"""

MAX_RUNS = 1_000_000
"""The most runs a scenario (and a --detail-runs or --runs-per-world) may have."""
MAX_STEPS = 1000
"""The most values a sweep axis may have (--steps)."""
