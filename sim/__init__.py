"""forcegen: a force-generation negotiation simulator.

From Python (docs/api.md):

- `sim.load(path)`: a loaded, validated scenario;
- `sim.run(scenario, runs=..., seed=...)`: a `sim.Results` (tables, summary,
  charts as figures, `.save(folder)`);
- `sim.compare(paths)`, `sim.sweep(path)`: the comparison and sweep tables;
- `sim.sensitivity(scenario or results)`, `sim.discover(scenario or results)`,
  `sim.robust(sweep)`: the studies (which judgement calls drive the outcome, the
  PRIM boxes of an outcome, candidate mandates ranked across sampled worlds), each
  with its table, words, chart and `.save(folder)`;
- `sim.ForceModel`: one run as a Mesa model.

Every name is imported on first use, so `import sim` stays light, and importing
it changes no process-wide setting: the command line and its worker processes
set one BLAS thread for themselves (`sim.parallel.own_process`).
"""

__version__ = "0.1.0"

_LAZY = {
    "ForceModel": ("sim.engine.model", "ForceModel"),
    "load": ("sim.api", "load"),
    "run": ("sim.api", "run"),
    "compare": ("sim.api", "compare"),
    "sweep": ("sim.api", "sweep"),
    "sensitivity": ("sim.api", "sensitivity"),
    "discover": ("sim.api", "discover"),
    "robust": ("sim.api", "robust"),
    "Results": ("sim.results", "Results"),
    "ScenarioError": ("sim.scenario.errors", "ScenarioError"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):
    """The public names, imported on first use so `import sim` stays light."""
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
