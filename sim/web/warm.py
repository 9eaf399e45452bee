"""The compiled loops readied once per server, while the first page is read.

An ensemble of 1,000 runs or more uses the rules' compiled loops (`sim.rules.jit`);
the first one in a process first imports numba and loads the loops' machine code
from its cache, about half a second to a second its user waits for, on top of the
run. A server is one long process, so Explore starts that load on a thread of its
own as soon as it is first shown, while its user reads the mandate; from then on
every run of the server, however small, uses the loops: their cost is paid. The
numbers are the same either way (`tests/web/test_warm.py`).
"""

from __future__ import annotations

import threading

from sim.rules import jit

_lock = threading.Lock()
_started = False


def warm(rel: str) -> threading.Thread | None:
    """Start readying the loops with scenario `rel` (a shipped or local file), once per
    process and only where numba is installed; return the thread, or None when there
    is nothing to do. A scenario that cannot be opened readies nothing: its page says
    why, and the first large run loads the loops as it always did."""
    global _started
    with _lock:
        if _started or not jit.available():
            return None
        _started = True
    thread = threading.Thread(target=_ready, args=(rel,), name="forcegen-warm", daemon=True)
    thread.start()
    return thread


def _ready(rel: str) -> None:
    """Two runs of `rel` with the loops (compiled if this install's cache lacks them),
    then every later run of the process uses them."""
    from sim.engine.ensemble import run_ensemble
    from sim.scenario.arrays import compile_scenario
    from sim.scenario.errors import ScenarioError
    from sim.web import scenarios

    try:
        C = compile_scenario(scenarios.load(rel))
    except ScenarioError:
        return
    with jit.forced():
        run_ensemble(C, runs=2, detail=0)
    jit.started(0, jit.MIN_RUNS)
