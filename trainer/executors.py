"""Where the grid's units run: local processes on this machine, or Ray tasks on a cluster.

Both take the data set once (a local process gets it when it starts; Ray keeps one copy in its
object store that every task reads) and run `grid_worker.run_unit`, one TensorFlow thread per
worker, so the same unit gives the same numbers on either. `run(units)` yields `(unit, result)`
as units finish, `result` being the unit's files or the exception it failed with; retrying is
the driver's job (grid.run_grid), so a unit is attempted once per call here.
"""
from __future__ import annotations

import multiprocessing
import os
import socket
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from . import grid_worker

EXECUTORS = ("local", "ray")


def make_executor(kind: str, dataset, workers: int, address: str | None = None):
    if kind == "local":
        if address:
            raise ValueError("--address is for --executor ray (a Ray cluster's head, HOST:PORT)")
        return LocalExecutor(dataset, workers)
    if kind == "ray":
        return RayExecutor(dataset, workers, address)
    raise ValueError(f"unknown executor {kind!r}; expected one of {', '.join(EXECUTORS)}")


class LocalExecutor:
    """`workers` spawned processes (TensorFlow does not survive fork). A process that dies breaks
    the pool: the units it had in flight fail with BrokenProcessPool and a new pool takes the rest."""

    def __init__(self, dataset, workers: int):
        self.dataset, self.workers = dataset, max(1, int(workers))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _pool(self):
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=grid_worker.init_process, initargs=(self.dataset,))

    def run(self, units):
        queue = list(units)
        while queue:
            pool, in_flight, broken = self._pool(), {}, False
            try:
                while (queue and not broken) or in_flight:
                    # Only as many in flight as there are workers: a broken pool then costs only those.
                    while queue and not broken and len(in_flight) < self.workers:
                        unit = queue.pop(0)
                        in_flight[pool.submit(grid_worker.run_unit_in_process, unit)] = unit
                    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for future in finished:
                        unit = in_flight.pop(future)
                        try:
                            yield unit, future.result()
                        except BrokenProcessPool as error:
                            broken = True
                            yield unit, error
                        except Exception as error:  # the unit's own failure, reported by the driver
                            yield unit, error
            finally:
                pool.shutdown(wait=True, cancel_futures=True)


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail in seconds, with the address in the message, where `ray.init` would wait for a cluster
    that is not there."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--address {address!r}: expected HOST:PORT of a Ray cluster's head (see `ray start --head`)")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as error:
        raise ConnectionError(f"no Ray cluster answers at {address} ({error.strerror or error}); start one with "
                              f"`ray start --head --port {port}` there, or leave out --address") from None


class RayExecutor:
    """Ray tasks of one CPU each. Without `address` Ray starts a local cluster of `workers` CPUs;
    with it, the tasks go to that cluster (every machine of it needs this project installed)."""

    def __init__(self, dataset, workers: int, address: str | None):
        try:
            import ray
        except ImportError:
            raise ValueError("--executor ray needs Ray, which is not installed: pip install 'kinedge[cluster]'") from None
        if address:
            check_reachable(address)
        self.ray, self.dataset, self.workers, self.address = ray, dataset, workers, address

    def __enter__(self):
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        options = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
        if self.address:
            try:
                self.ray.init(address=self.address, **options)
            except ConnectionError as error:  # e.g. refused for a missing or wrong token
                raise ConnectionError(f"{str(error).strip().splitlines()[-1]}: does this shell have the cluster's "
                                      f"RAY_AUTH_MODE and token (README, 'The grid on a cluster')?") from None
        else:
            self.ray.init(num_cpus=max(1, int(self.workers)), **options)
        self.dataset_ref = self.ray.put(self.dataset)
        # A lost worker fails its task at once (no Ray-side retry): the driver counts the attempt.
        self.task = self.ray.remote(num_cpus=1, max_retries=0)(grid_worker.run_unit)
        return self

    def __exit__(self, *exc):
        self.ray.shutdown()
        return False

    def run(self, units):
        pending = {self.task.remote(self.dataset_ref, unit): unit for unit in units}
        while pending:
            finished, _ = self.ray.wait(list(pending), num_returns=1)
            unit = pending.pop(finished[0])
            try:
                yield unit, self.ray.get(finished[0])
            except self.ray.exceptions.RayTaskError as error:
                # The unit's own exception, raised on the worker.
                yield unit, error.cause if isinstance(error.cause, BaseException) else error
            except self.ray.exceptions.RayError as error:  # the worker or its node died
                yield unit, error
