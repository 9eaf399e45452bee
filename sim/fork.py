"""A second process for work too short to pay a pool, forked when it costs almost nothing.

A command that runs in one process (`--workers` left at its default, the work too
small to pay a pool, `sim.workers`) still has a second core on most machines.
Its charts, an ensemble's batches below the pool's threshold and a small
sweep's points are independent jobs, too short to pay a spawned pool
(`sim.workers.POOL_SECONDS`, about a second), but a forked copy of this process
starts in milliseconds with everything already imported. So `Forked` shares a
list of jobs between this process and one forked child: each takes the next job
not yet taken (a counter both share), and the child sends its results back
through a pipe when the list is done. `Serial.for_short_jobs` decides where it
is used (`--workers` at its default, `can_fork`, `spare_core`).

The parent may also have imports to do before it needs their modules (`warm`:
`run`'s charts and table writing, matplotlib and pandas, about 0.7 s): it does
them right after the fork, while the child starts on the jobs. So the demo's
200 runs, too few to split (`sim.engine.ensemble.FORK_RUNS`), go whole to the
child while the parent imports, instead of the two one after the other.

Forking is safe only in a process with a single thread: a fork copies only the
thread that forks, and a lock held by another thread stays held in the child
for ever (and Python 3.12 warns). So `can_fork` reads the thread count from
the operating system (native threads included: BLAS, numba), and every other
case keeps to one process. A job that fails in the child, or a child that
dies, is done again here, so its error is raised here as in one process. The
results are the same bytes: each job depends only on its arguments.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from multiprocessing import get_context
from typing import Any

from sim.parallel import Executor, cores

STATUS = "/proc/self/status"


def threads() -> int | None:
    """This process's threads as the operating system counts them (Linux), else None."""
    try:
        with open(STATUS, encoding="ascii") as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def can_fork() -> bool:
    """Whether a forked helper is safe: Linux and one thread."""
    return sys.platform.startswith("linux") and threads() == 1


SPARE = 0.5
"""How much of a core the last minute's load must leave free for the helper."""


def spare_core() -> bool:
    """Whether a second core is free enough to help: this process may use two or more,
    and other processes leave `SPARE` of one unused besides this process's own core:
    as measured since the command started (`sim.workers.others_busy`), else as the
    last minute's load average says. On a busy machine the helper would only
    compete with the neighbours (and the two halves of an ensemble each pay a
    week's fixed cost)."""
    from sim.workers import others_busy

    n = cores()
    others = others_busy(wait=True)
    if others is not None:
        return n >= 2 and n - 1 - others >= SPARE
    try:
        load = os.getloadavg()[0]
    except OSError:
        return False
    return n >= 2 and n - load >= SPARE


class Forked(Executor):
    """This process and one forked child share the jobs (see the module docstring)."""

    workers = 2
    local = True
    shares_memory = True
    takes_tables = True

    def __init__(self, warm: Sequence[str] = ()) -> None:
        self.warm = tuple(warm)

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        counter = get_context("fork").Value("l", 0)  # its lock is a semaphore both share
        read, write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        frozen = _freeze()
        try:
            pid, held = _fork()
        except BaseException:
            _thaw(frozen)
            raise
        if pid == 0:  # pragma: no cover - the child (coverage does not follow a fork)
            try:
                os.close(read)
                _child(fn, jobs, counter, write)
            finally:  # whatever happens, the child never runs its parent's code
                os._exit(0)
        os.close(write)
        done: set[int] = set()
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back lands here
            _warm(self.warm)  # while the child starts on the jobs
            while (i := _claim(counter)) < len(jobs):
                done.add(i)
                yield i, fn(*jobs[i])
            theirs = _collect(read, pid)
        except BaseException:
            _end(pid)
            raise
        finally:
            os.close(read)
            _thaw(frozen)
        for i, result in theirs:
            done.add(i)
            yield i, result
        for i in range(len(jobs)):  # jobs the child took and did not finish
            if i not in done:
                yield i, fn(*jobs[i])


def _warm(modules: Sequence[str]) -> None:
    """Import, here in the parent, the modules this command needs after the jobs (the
    charts': matplotlib and pandas, about 0.5 s) while the child does the first jobs.
    A module that fails to import is left to fail where it is used, with its own error."""
    for module in modules:
        if module not in sys.modules:
            with contextlib.suppress(ImportError):
                importlib.import_module(module)


FROZEN_AT_START = gc.get_freeze_count()
"""Objects the interpreter itself keeps frozen (none on 3.11, a few hundred on 3.12)."""


def _freeze() -> bool:
    """Move every object this process holds out of the garbage collector's reach until
    `_thaw`, as Python's documentation advises before a fork; return whether it did
    (not when the caller had frozen objects of its own: theirs to thaw).

    Otherwise a collection of the oldest generation, in either process, walks every
    object the command had made (pandas, matplotlib, the tables: a few hundred
    thousand), and in the child writes to each one's header, copying the memory
    pages the two processes shared: 0.08 s in each while the demo's charts were drawn."""
    if gc.get_freeze_count() > FROZEN_AT_START:
        return False
    gc.freeze()
    return True


def _thaw(frozen: bool) -> None:
    """Give the objects `_freeze` froze back to the collector (the oldest generation)."""
    if frozen:
        gc.unfreeze()


def _fork() -> tuple[int, set]:
    """`os.fork` with Ctrl-C held back: (pid, the signal mask to restore).

    A KeyboardInterrupt raised in the child before it ignores Ctrl-C would unwind
    through the parent's code (its clean-up) in the child; so the child ignores
    it before it is let through. The parent gets it back blocked, and restores
    the mask where a Ctrl-C that came meanwhile ends the child too."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        raise
    if pid == 0:  # pragma: no cover - the child
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pid, held


def _claim(counter) -> int:
    """The next job not yet taken, by either process."""
    with counter.get_lock():
        i = counter.value
        counter.value = i + 1
    return i


def _child(fn: Callable, jobs: Sequence[tuple], counter, write: int) -> None:
    """The forked child: do jobs until none is left, send the results, exit.

    Ctrl-C is the parent's to handle (it ends the child; `_fork` set it ignored
    here). `os._exit` skips the parent's exit handlers and leaves its unflushed
    output unwritten."""
    _die_with_parent()
    out: list[tuple[int, Any]] = []
    # A job that fails ends the child's work: the parent does it again, and raises
    # its error there, as one process would.
    with contextlib.suppress(BaseException):
        while (i := _claim(counter)) < len(jobs):
            out.append((i, fn(*jobs[i])))
    payload = pickle.dumps(out)
    with os.fdopen(write, "wb") as pipe:
        pipe.write(payload)


PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to end this child when its parent dies (`kill -9` included), so it
    writes nothing after the command is gone; if the parent is gone already, end now."""
    parent = os.getppid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _collect(read: int, pid: int) -> list[tuple[int, Any]]:
    """The child's results (none if it died first), once it has exited."""
    chunks = []
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    try:
        return pickle.loads(b"".join(chunks))  # noqa: S301 - from this process's own child
    except Exception:  # a child killed while it wrote: its jobs are done again here
        return []


def _end(pid: int) -> None:
    """End the child at once and reap it (after an error or Ctrl-C here)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
