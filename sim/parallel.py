"""One pool of worker processes for a whole command.

Starting a Python process with numpy, pandas and matplotlib costs about a
second; a command that runs an ensemble and then draws charts starts its
workers once and uses them for both. Workers are spawned (not forked), so
they hold no state of the parent but what each task carries.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context


def _warm() -> None:
    """Import what tasks will need while the parent is still busy."""
    import sim
    import sim.charts
    import sim.engine.fast  # noqa: F401


@contextlib.contextmanager
def processes(workers: int) -> Iterator[Executor | None]:
    """A process pool of `workers` (None for one: work stays in this process)."""
    if workers <= 1:
        yield None
        return
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_warm)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
