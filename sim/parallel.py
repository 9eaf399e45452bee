"""One pool of worker processes for a whole command.

Starting a Python process with numpy, pandas and matplotlib costs about a
second; a command that runs an ensemble and then draws charts starts its
workers once and uses them for both. Workers are spawned (not forked), so
they hold no state of the parent but what each task carries.

Workers leave decisions to the parent: they ignore Ctrl-C (the parent stops
them, then removes what was half-written), and a watchdog thread ends a worker
whose parent has died (`kill -9`), so no worker or resource tracker lingers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

WATCH_SECONDS = 0.5
"""How often a worker checks that its parent is still alive."""


def _warm() -> None:
    """Import what tasks will need while the parent is still busy."""
    import sim
    import sim.charts
    import sim.engine.fast  # noqa: F401


def _watch(parent: int) -> None:
    """End this worker as soon as its parent is gone (it is then re-parented)."""
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


def worker_init(parent: int, warm: bool = True) -> None:
    """Every worker's initializer: ignore Ctrl-C, watch the parent, import early."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()
    if warm:
        _warm()


def make_pool(workers: int, warm: bool = True) -> ProcessPoolExecutor:
    """A spawned process pool whose workers follow `worker_init`."""
    return ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=worker_init,
        initargs=(os.getpid(), warm),
    )


def stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once (after an error or Ctrl-C): running tasks are not awaited."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def processes(workers: int) -> Iterator[Executor | None]:
    """A process pool of `workers` (None for one: work stays in this process)."""
    if workers <= 1:
        yield None
        return
    from sim.output.folder import remove_failed

    pool = make_pool(workers)
    try:
        yield pool
    except BaseException:
        stop(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        remove_failed()


def cores() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
