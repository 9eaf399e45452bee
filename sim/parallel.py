"""Where a command's work runs: here, in a pool of processes, or on a Dask cluster.

One interface for every command (`run`, `compare`, `sweep`, `whatif`) and for
the charts. An executor has

- `workers`: how many jobs run at once;
- `local`: whether its workers share this machine's files (a job may write
  into the results folder);
- `imap(fn, jobs)`: yields `(index, fn(*jobs[index]))` as results arrive;
- `stop()`: stop at once (after an error or Ctrl-C), running jobs not awaited;
- `close()`: release the workers after the work is done.

Used as a context manager it stops on an exception, always closes, and then
removes the scratch folders of failed commands (`sim.output.folder.remove_failed`),
which a worker might have been writing into until it stopped.

Callers put results back in job order, and each job depends only on its
arguments (a run draws from its own generator), so the numbers are identical
whatever the executor and however many workers it has.

Pool workers are spawned (not forked), so they hold no state of the parent but
what each job carries. Starting one with numpy, pandas and matplotlib costs
about two seconds on the project's machine, so a command starts its workers
once and uses them for everything (the ensemble, then the charts), and
`--workers 0` starts them only when the work pays for them (`sim.workers`).
Below that, `--workers 0` may still share short work with one forked copy of
the process, which costs milliseconds (`Serial.spare`, `sim.fork`).
Workers leave decisions to the parent: they ignore Ctrl-C (the parent stops
them, then removes what was half-written), and a watchdog thread ends a worker
whose parent has died (`kill -9`), so no worker or resource tracker lingers.

Dask is optional (`pip install ".[dask]"`) and imported only when asked for.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from typing import Any

WATCH_SECONDS = 0.5
"""How often a worker checks that its parent is still alive."""

ENGINE = ("sim", "sim.engine.fast")
"""What a worker imports while the parent is still busy: the engine ..."""
CHARTS = (*ENGINE, "sim.charts")
"""... and, for `run`, the charts too."""
WRITE = ("sim.output.write",)
"""... and what writes a results folder (pandas): `run` imports it after its runs,
while a forked helper does them (`sim.fork.Forked`)."""

DASK_HINT = 'Dask is not installed; install the optional extra with: pip install ".[dask]"'


class ExecutorError(Exception):
    """An executor cannot be set up (Dask missing, scheduler unreachable)."""


SCHEDULER_EXPECTED = "'local' or a Dask scheduler address tcp://HOST:PORT (or HOST:PORT)"
"""What `--scheduler` takes: the addresses `Dask` can reach without further settings
(a TLS, UCX or in-process scheduler would need security or transport settings
forcegen does not pass)."""


def check_scheduler(address: str, option: str = "--scheduler") -> str:
    """`address` if it is one `--scheduler` takes (`SCHEDULER_EXPECTED`), else
    raise ExecutorError with one line naming `option`, saying why, and the likely
    name of a misspelt 'local'. Nothing is imported or connected to."""
    from sim.scenario.errors import shown

    why = _scheduler_problem(address)
    if why is None:
        return address
    raise ExecutorError(f"{option} {shown(address)}: expected {SCHEDULER_EXPECTED}{why}")


HOST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
IPV6 = frozenset("0123456789abcdefABCDEF:.")


def _scheduler_problem(address: str) -> str | None:
    """None for an address `check_scheduler` takes, else why not, as the end of its
    message ('' when nothing more precise can be said)."""
    from sim.scenario.errors import shown, suggest

    if address == "local":
        return None
    if not address.strip():
        return " (an empty address)"
    scheme, sep, rest = address.partition("://")
    if not sep:
        rest = address
    elif scheme != "tcp":
        return f" ({shown(scheme + '://')} is not a scheme forcegen can use)"
    if rest.startswith("["):  # IPv6: [::1]:8786
        host, closed, tail = rest[1:].partition("]")
        if not closed or not host or not set(host) <= IPV6:
            return ""
        colon, port = tail[:1], tail[1:]
    else:
        host, colon, port = rest.rpartition(":")
        if not colon:
            return (suggest(address, ["local"]) if not sep else "") or " (no port)"
        if ":" in host:
            return " (an IPv6 address goes in brackets: tcp://[::1]:8786)"
        if not host or not set(host) <= HOST:
            return ""
    if colon != ":" or not port:
        return " (no port)"
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
        return " (the port is a whole number from 1 to 65535)"
    return None


def cores() -> int:
    """Cores this process may use."""
    from sim.workers import own_cpus

    return len(own_cpus())


def auto_workers(runs: int, engine: str = "fast", run_seconds: float | None = None) -> int:
    """The workers `--workers 0` means (`sim.workers.decide`).

    One process unless the command's work, `runs` runs of about `run_seconds`
    each (`sim.workers.run_cost`; without it the flagship's), outweighs the
    pool's cost on the cores that are idle now; never more than those cores.
    `runs` is everything the command runs: the ensemble for `run`, the scenarios
    compare has to run, points × runs for a sweep, candidates × runs for whatif.
    """
    from sim.workers import decide

    return decide(runs, run_seconds, engine, cores())


# ---------------------------------------------------------------- the workers' side


def _watch(parent: int) -> None:
    """End this worker as soon as its parent is gone (it is then re-parented)."""
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""Variables that fix the BLAS libraries' thread count when numpy loads."""
ARROW_NO_THREAD = ("JE_ARROW_MALLOC_CONF", "background_thread:false")
"""pyarrow's allocator (jemalloc, loaded with pandas where pyarrow is installed) starts
a background thread unless told not to; with it, this process could not fork the
charts' helper safely (`sim.fork`). It only returns freed memory sooner."""


def own_process(env: dict | None = None) -> None:
    """Settings of a process forcegen owns (the command line, a pool worker).

    The engines multiply only small matrices; BLAS threads cost more than they
    save on them (measured on 2 cores), so one thread unless the user set these
    variables, and no allocator thread (`ARROW_NO_THREAD`). Takes effect only
    before numpy and pandas are imported. Charts are drawn to files, never to a
    window (Agg). `import sim` changes none of this.
    """
    env = os.environ if env is None else env
    for var in BLAS_THREADS:
        env.setdefault(var, "1")
    env.setdefault(*ARROW_NO_THREAD)
    env["MPLBACKEND"] = "Agg"


def worker_init(parent: int, warm: Sequence[str] = CHARTS) -> None:
    """Every pool worker's initializer: ignore Ctrl-C, watch the parent, one BLAS
    thread and no window (`own_process`, before numpy loads), import early."""
    own_process()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(parent,), name="parent-watchdog", daemon=True).start()
    for module in warm:
        importlib.import_module(module)


def _quiet() -> None:
    """Silence Dask's log (here or in a worker) while the work is stopped."""
    logging.getLogger("distributed").setLevel(logging.CRITICAL)


# ---------------------------------------------------------------- executors


class Executor:
    """The interface every executor has (see the module docstring)."""

    workers = 1
    local = True
    shares_memory = False
    """Its jobs run on this process's memory (here, or in a forked copy of it): a job's
    arguments are never pickled, so a large table costs nothing to hand over."""
    takes_tables = False
    """A job may carry a results table of many MB (params.csv's, written by a worker
    while this process writes the others): true for a pool on this machine and a
    forked helper; a Dask cluster warns about large objects in its task graph."""

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        raise NotImplementedError

    def start(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        """As `imap`, with the jobs handed to the workers now, so this process can do
        other work before it reads the results (a pool's workers draw the charts while
        this process writes tables). Here, as in every executor that runs jobs in this
        process, nothing runs until the results are read."""
        return self.imap(fn, jobs)

    def stop(self) -> None:
        """Stop at once (after an error or Ctrl-C)."""

    def close(self) -> None:
        """Release the workers once the work is done."""

    def for_short_jobs(self) -> Executor:
        """The executor for jobs too short to pay a spawned pool (a command's charts, an
        ensemble below the pool's threshold): this one, except where `Serial.spare`
        allows a forked helper (`sim.fork`)."""
        return self

    def warm_pending(self) -> bool:
        """Whether this process still has imports a forked helper's jobs could overlap
        (`Serial.warm_pending`); none elsewhere."""
        return False

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        from sim.output.folder import remove_failed

        try:
            if kind is not None:
                self.stop()
        finally:
            try:
                self.close()
            finally:
                remove_failed()


class Serial(Executor):
    """Run every job here, one after another, in order.

    `spare`: the number of processes was left to forcegen (`--workers` at its
    default), so work too short for a pool (the charts; an ensemble of a few
    hundred to a few thousand runs) may share a free second core with a forked
    copy of this process (`sim.fork`); an explicit `--workers 1` keeps to one."""

    shares_memory = True
    takes_tables = True

    def __init__(self, spare: bool = False, warm: Sequence[str] = ()) -> None:
        self.spare = spare
        self.warm = tuple(warm)

    def for_short_jobs(self) -> Executor:
        if self.spare:
            from sim.fork import Forked, can_fork, spare_core

            if can_fork() and spare_core():
                return Forked(self.warm)
        return self

    def warm_pending(self) -> bool:
        """Whether a forked helper would have this process's imports to overlap: a
        module of `warm` (the charts', for `run`) not imported yet, which this process
        imports while the helper starts on the jobs (`sim.fork.Forked`)."""
        return self.spare and any(module not in sys.modules for module in self.warm)

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        for i, job in enumerate(jobs):
            yield i, fn(*job)


def _quiet_pool_race(args: threading.ExceptHookArgs) -> None:
    """Drop one known race of the standard library's process pool, pass the rest on.

    When a worker dies, the pool's manager thread can count its processes while
    they are being removed and fail with "dictionary changed size during
    iteration" (CPython 3.11's `concurrent.futures.process`). The pool is broken
    either way and the command reports that in one line (BrokenProcessPool); only
    the thread's traceback on stderr is dropped. So is anything the manager thread
    of a pool being stopped raises (`Pool.stop`, after an error or Ctrl-C): its
    workers are being terminated under it, and the command says why in one line."""
    from concurrent.futures import process

    manager = getattr(process, "_ExecutorManagerThread", ())
    if args.thread is not None and args.thread in _STOPPED:
        return
    if (
        isinstance(args.thread, manager)
        and isinstance(args.exc_value, RuntimeError)
        and "changed size during iteration" in str(args.exc_value)
    ):
        return
    _EXCEPTHOOK(args)


_EXCEPTHOOK = threading.excepthook
_STOPPED: set[threading.Thread] = set()
"""The manager threads of pools being stopped."""


def _completed(futures: dict) -> Iterator[tuple[int, Any]]:
    """(job index, result) of a pool's futures as they finish; those left are cancelled
    when the reader stops (an error, Ctrl-C)."""
    try:
        for fut in as_completed(futures):
            yield futures[fut], fut.result()
    finally:
        for fut in futures:
            fut.cancel()


class Pool(Executor):
    """`workers` spawned processes on this machine, each set up by `worker_init`.

    Processes start at the first job, so a pool that gets no work costs nothing.
    """

    takes_tables = True

    def __init__(self, workers: int, warm: Sequence[str] = CHARTS) -> None:
        if threading.excepthook is _EXCEPTHOOK:
            threading.excepthook = _quiet_pool_race
        self.workers = workers
        self.pool = ProcessPoolExecutor(
            workers,
            mp_context=get_context("spawn"),
            initializer=worker_init,
            initargs=(os.getpid(), tuple(warm)),
        )

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        yield from self.start(fn, jobs)

    def start(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        return _completed({self.pool.submit(fn, *job): i for i, job in enumerate(jobs)})

    def stop(self) -> None:
        manager = getattr(self.pool, "_executor_manager_thread", None)
        if manager is not None:
            _STOPPED.add(manager)
        for proc in list((getattr(self.pool, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Dask(Executor):
    """A Dask cluster: the scheduler at `address`, or for `address='local'` a
    LocalCluster on this machine with `workers` worker processes (0: one per
    core), set up as a pool's are (`worker_init`)."""

    def __init__(self, address: str, workers: int = 0) -> None:
        check_scheduler(address)
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(DASK_HINT) from None
        self.cluster = None
        self.local = address == "local"
        try:
            if self.local:
                self.cluster = LocalCluster(
                    n_workers=workers or cores(),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    # No dashboard, and the scheduler's small HTTP server on a free
                    # port: 8787 may be taken (another cluster, another command).
                    scheduler_kwargs={"dashboard": False, "dashboard_address": ":0"},
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="10s")
        except OSError as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        if self.local:  # its workers are this process's children: set them up as a pool's
            self.client.run(worker_init, os.getpid(), ())
        self.futures: list = []
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        yield from self.start(fn, jobs)

    def start(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        self.futures = [self.client.submit(fn, *job, pure=False) for job in jobs]
        return self._completed(self.futures)

    def _completed(self, futures: list) -> Iterator[tuple[int, Any]]:
        from dask.distributed import KilledWorker
        from dask.distributed import as_completed as dask_completed

        index = {fut.key: i for i, fut in enumerate(futures)}
        try:
            for fut in dask_completed(futures):
                try:
                    result = fut.result()
                except KilledWorker as exc:  # as a pool says it: one line, exit status 1
                    raise BrokenProcessPool(str(exc)) from None
                yield index[fut.key], result
        finally:
            self.client.cancel(futures)

    def stop(self) -> None:
        # The cluster's complaints about cancelled work would bury the one line that says why.
        _quiet()
        if self.local:
            with contextlib.suppress(Exception):
                self.client.run(_quiet)
        with contextlib.suppress(Exception):
            self.client.cancel(self.futures)
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()
            self.cluster = None


def make_executor(
    workers: int = 0,
    scheduler: str | None = None,
    runs: int = 0,
    engine: str = "fast",
    warm: Sequence[str] = ENGINE,
    run_seconds: float | None = None,
) -> Executor:
    """The executor for `--workers N` and `--scheduler ADDRESS|local`.

    `workers` 0 is decided by `auto_workers` from `runs`, the command's total
    runs, and `run_seconds`, the estimated cost of one; with a scheduler it is
    the LocalCluster's size (0: one per core). `warm` are the modules the command
    needs after its runs: a pool's workers import them as they start, and one
    process imports them while a forked helper runs (`Serial.warm_pending`).
    """
    if scheduler is not None:  # '' is refused, not taken for no scheduler
        return Dask(scheduler, workers)
    chosen = workers or auto_workers(runs, engine, run_seconds)
    return Pool(chosen, warm) if chosen > 1 else Serial(spare=not workers, warm=warm)
