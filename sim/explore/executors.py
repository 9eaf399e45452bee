"""Where the work runs: here, in a process pool, or on a Dask cluster.

Every executor has the same small interface: `imap(fn, jobs)` yields
`(index, fn(*jobs[index]))` as results arrive, and `workers` says how many run
at once. Callers put results back in job order, and each job depends only on
its arguments (a point's runs depend only on its seed), so the numbers are
identical whatever the executor and however many workers it has.

Dask is optional (`pip install ".[dask]"`) and imported only when asked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import as_completed
from typing import Any

DASK_HINT = 'Dask is not installed; install the optional extra with: pip install ".[dask]"'


class ExecutorError(Exception):
    """An executor cannot be set up (Dask missing, scheduler unreachable)."""


class Serial:
    """Run every job here, one after another."""

    workers = 1

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        for i, job in enumerate(jobs):
            yield i, fn(*job)

    def close(self) -> None:
        pass


class Pool:
    """A pool of `workers` processes on this machine (spawned, so nothing is inherited)."""

    def __init__(self, workers: int) -> None:
        from sim.parallel import make_pool

        self.workers = workers
        self.pool = make_pool(workers, warm=False)

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        futures = {self.pool.submit(fn, *job): i for i, job in enumerate(jobs)}
        try:
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """Stop the workers at once (after an error or Ctrl-C)."""
        from sim.parallel import stop

        stop(self.pool)


class Dask:
    """A Dask cluster: a scheduler at `address`, or a LocalCluster for `address='local'`
    (with `workers` worker processes, or one per core when workers is 1)."""

    def __init__(self, address: str, workers: int = 1) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(DASK_HINT) from None
        self.cluster = None
        try:
            if address == "local":
                self.cluster = LocalCluster(
                    n_workers=workers if workers > 1 else (os.cpu_count() or 1),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(address, timeout="10s")
        except OSError as exc:
            if self.cluster is not None:
                self.cluster.close()
            raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        info = self.client.scheduler_info()
        self.workers = max(1, len(info.get("workers", {})))

    def imap(self, fn: Callable, jobs: Sequence[tuple]) -> Iterator[tuple[int, Any]]:
        from dask.distributed import as_completed as dask_completed

        futures = [self.client.submit(fn, *job, pure=False) for job in jobs]
        index = {fut.key: i for i, fut in enumerate(futures)}
        try:
            for fut in dask_completed(futures):
                yield index[fut.key], fut.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(workers: int = 1, scheduler: str | None = None) -> Serial | Pool | Dask:
    """The executor for `--workers N` / `--scheduler ADDRESS|local`."""
    if scheduler:
        return Dask(scheduler, workers)
    if workers > 1:
        return Pool(workers)
    return Serial()
