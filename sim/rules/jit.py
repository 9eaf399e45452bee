"""When the rules' compiled loops run, and how they are compiled.

Some rule functions have a loop beside them that computes the same numbers in one
pass over (run, state, ...) instead of a dozen numpy passes over temporary arrays
(`sim.rules.fused`, `payoff.distance`, `payoff.by_kind`, `payoff.incentives`,
`terms.evaluate`, `red_lines.held` and `blocked`, `caveats.share`, the demand
search's bookkeeping and bundled demands in `decide`). Each loop keeps its rule's
order of floating-point operations, and numba contracts no multiply-add unless
asked (`fastmath` off), so either path gives the same bytes;
`tests/rules/test_jit.py` and `tests/rules/test_fused.py` check it on random
inputs and on every shipped scenario.

The loops are compiled by numba where it is installed (`pip install
forcegen[fast]`; the test extra has it) and the process has started enough runs to
repay numba's start-up (`MIN_RUNS`), with an on-disk cache so the compile is paid
once per install. Importing forcegen never compiles anything.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from contextlib import contextmanager

DISABLE = "FORCEGEN_NO_NUMBA"
"""Set this environment variable to run the numpy rules even where numba is installed."""

MIN_RUNS = 2_000
"""The compiled loops run once this process has started at least this many runs.
Importing numba and loading the ten cached loops costs about 0.55 s once per
process; the loops save about 0.3 ms per run of the flagship (1,000 runs: 0.63 s
against 0.96 s; 2,000 runs in a new process: 1.56-1.61 s against 1.64-1.73 s;
docs/performance.md). So the demo's 200 runs, a class's game and a 1,000-run
ensemble stay on numpy and never import numba, while a larger one, or a sweep's
worker after its first points, uses the loops. Either way the results are the
same bytes."""

_HAVE_NUMBA = importlib.util.find_spec("numba") is not None
_started = 0


def started(runs: int) -> None:
    """Count `runs` more runs started in this process (the ensemble driver calls it
    before each batch)."""
    global _started
    _started += runs


def available() -> bool:
    """numba is installed and not disabled (`DISABLE`)."""
    return _HAVE_NUMBA and not os.environ.get(DISABLE)


@contextmanager
def forced():
    """The compiled loops run from the first run on, while inside (to compile them)."""
    global MIN_RUNS
    before, MIN_RUNS = MIN_RUNS, 0
    try:
        yield
    finally:
        MIN_RUNS = before


def compiled() -> bool:
    """Whether the compiled loops run: numba installed, not disabled, and this process
    has started enough runs to repay numba's start-up."""
    return _started >= MIN_RUNS and available()


class Kernel:
    """A loop compiled on first call (`numba.njit`, cached on disk, no GIL held)."""

    def __init__(self, loop: Callable) -> None:
        self.loop = loop
        self._compiled: Callable | None = None

    @property
    def compiled_once(self) -> bool:
        """This process has compiled (or loaded from the cache) and run the loop."""
        return self._compiled is not None

    def __call__(self, *args):
        if self._compiled is None:
            import numba

            self._compiled = numba.njit(cache=True, nogil=True)(self.loop)
        return self._compiled(*args)


KERNELS: dict[str, Kernel] = {}
"""Every compiled loop, by module and name (`sim.engine.warm` checks it runs them all)."""


def kernel(loop: Callable) -> Kernel:
    """Decorate a loop written in numba's subset of Python: it is compiled on first
    call, so importing the module that holds it costs nothing."""
    KERNELS[f"{loop.__module__}.{loop.__name__}"] = k = Kernel(loop)
    return k
