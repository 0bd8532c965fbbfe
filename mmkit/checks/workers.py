"""Pure per-file work spread over forked worker processes, for the CLI's cold run.

Reading and scanning thousands of files is single-threaded Python; each file's facts depend on
its bytes alone, so contiguous chunks of the files can be computed in forked children and their
results sent back pickled through a pipe. Forking shares the parent's memory, so nothing is
sent to a worker: it inherits the function and its items.

Only the CLI opts in, and only on Linux. Forking a process that runs other threads can deadlock
the child (a lock held by a thread that does not exist there), so the helper works sequentially
while this process has another Python thread, or another native thread (counted by the OS in
/proc/self/task) unless the caller says they are idle: grimp's Rust scan leaves a pool of
threads parked on a condition variable, holding no lock the child could need, and the child
runs only Python and leaves with os._exit. Django's `manage.py check` may run inside
runserver's threads and never uses workers.

Whatever happens to a worker (killed, out of memory, an unpicklable result, an exception), the
chunks it did not deliver are computed again in this process, in order, so the results are the
sequential ones and an exception of `function` is raised here, from the first item that raises.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import sys
import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

JOBS_ENV = "MMKIT_JOBS"
"""Workers to use, overriding the CPU count; 1 never forks. Empty counts as unset."""
MAX_JOBS = 8
"""The default is capped: past a few workers the parent's unpickling of results dominates."""
MIN_ITEMS = 400
"""Below this many items a batch runs in-process: forking and sending back cost more (measured
in benchmarks of the cold run: a worker's fork, pickling and reaping take about 3 ms)."""
MIN_BYTES = 2_000_000
"""Below this total weight (bytes of source, when weights are given) a batch runs in-process."""


def jobs_setting(environ: dict[str, str] | os._Environ[str] = os.environ) -> int | None:
    """MMKIT_JOBS as a count, None when unset or empty; a wrong value is a ValueError whose
    message a CLI shows as is (a typo should not silently change how mmkit runs)."""
    raw = environ.get(JOBS_ENV, "").strip()
    if not raw:
        return None
    try:
        count = int(raw)
    except ValueError:
        count = 0
    if count < 1:
        raise ValueError(f"{JOBS_ENV} must be a whole number of workers, 1 or more; got {raw!r}")
    return count


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity where the OS says), capped at MAX_JOBS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def resolve_jobs(jobs: int | None = None) -> int:
    """The number of workers: `jobs` when given, else MMKIT_JOBS, else default_jobs()."""
    if jobs is not None:
        if jobs < 1:
            raise ValueError(f"jobs must be 1 or more, got {jobs}")
        return jobs
    setting = jobs_setting()
    return setting if setting is not None else default_jobs()


def thread_count() -> int:
    """This process's threads as the OS counts them (native ones too), else Python's count."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def can_fork(idle_native_threads: bool = False) -> bool:
    """Whether forking is possible and safe here: Linux (macOS's system libraries are not safe
    to use after a fork) and no other Python thread; no other native thread either, unless
    `idle_native_threads` (the caller knows them to be parked: grimp's finished scan)."""
    if not sys.platform.startswith("linux") or threading.active_count() != 1:
        return False
    return idle_native_threads or thread_count() == 1


def chunks(count: int, parts: int, weights: Sequence[int] | None = None) -> list[range]:
    """`count` items cut into at most `parts` contiguous, non-empty ranges of about equal weight
    (each item weighs 1 without weights): contiguous, so results concatenate in input order."""
    parts = max(1, min(parts, count))
    if count == 0:
        return []
    sums = list(accumulate(max(0, weight) for weight in weights)) if weights else []
    if not sums or sums[-1] == 0:
        sums = list(range(1, count + 1))
    total = sums[-1]
    cuts = [0]
    for part in range(1, parts):
        target = total * part / parts
        after = bisect_left(sums, target) + 1
        before = after - 1
        before_sum = sums[before - 1] if before else 0
        cut = before if target - before_sum <= sums[after - 1] - target else after
        cuts.append(min(max(cut, cuts[-1] + 1), count - (parts - part)))
    cuts.append(count)
    return [range(start, end) for start, end in pairwise(cuts)]


def worth_forking(count: int, weights: Sequence[int] | None = None) -> bool:
    """Whether a batch is large enough that workers pay: MIN_ITEMS items and, when weighed,
    MIN_BYTES in total."""
    if count < MIN_ITEMS:
        return False
    return weights is None or sum(weights) >= MIN_BYTES


@dataclass
class _Worker:
    """One forked child computing one chunk; `data` gathers what it writes to its pipe."""

    pid: int
    fd: int
    part: range
    data: bytearray = field(default_factory=bytearray)
    status: int | None = None


@dataclass
class Batch(Generic[Result]):
    """Work started by `start`; `results` gathers it, in input order, and reaps the workers."""

    function: Callable[[Any], Result]
    items: Sequence[Any]
    parts: list[range]
    workers: list[_Worker]
    _done: list[Result] | None = None

    def results(self) -> list[Result]:
        """Every item's result, in order; chunks no worker delivered are computed here."""
        if self._done is not None:
            return self._done
        try:
            delivered = _collect(self.workers)
        finally:
            _reap(self.workers, kill=True)
        results: list[Result] = []
        for part in self.parts:
            found = delivered.get(part.start)
            if found is None or len(found) != len(part):
                found = [self.function(self.items[index]) for index in part]
            results.extend(found)
        self.workers = []
        self._done = results
        return results

    def close(self) -> None:
        """Stop and reap the workers without waiting for their results (after an error)."""
        _reap(self.workers, kill=True)
        self.workers = []

    def __del__(self) -> None:
        if self.workers:
            self.close()


def start(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int | None = None,
    weights: Sequence[int] | None = None,
    fork: bool | None = None,
) -> Batch[Result]:
    """Start computing `function` of every item in workers and return at once; the caller may
    do other work (grimp's scan) before `Batch.results()`.

    `function` is a module-level pure function and must not start threads or print (a worker's
    output is never flushed). `weights` (bytes of each file) balance the chunks and feed the
    threshold. `fork` True forks whenever it is safe, False never; None decides by size
    (worth_forking). Without workers the whole batch is computed in `results()`.
    """
    count = len(items)
    workers_wanted = resolve_jobs(jobs)
    decided = worth_forking(count, weights) if fork is None else fork
    whole = [range(0, count)] if count else []
    if workers_wanted < 2 or count < 2 or not decided or not can_fork():
        return Batch(function, items, whole, [])
    parts = chunks(count, workers_wanted, weights)
    workers = _spawn(function, items, parts)
    return Batch(function, items, parts, workers)


def map_files(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int | None = None,
    weights: Sequence[int] | None = None,
    fork: bool | None = None,
    idle_native_threads: bool = False,
) -> list[Result]:
    """`[function(item) for item in items]`, the chunks spread over `jobs` processes of which
    this one is one (it computes the first chunk while its workers do the rest).

    Same arguments as `start`, and `idle_native_threads` (see can_fork); the results are those
    of the sequential path in every case.
    """
    count = len(items)
    workers_wanted = resolve_jobs(jobs)
    decided = worth_forking(count, weights) if fork is None else fork
    if workers_wanted < 2 or count < 2 or not decided or not can_fork(idle_native_threads):
        return [function(item) for item in items]
    parts = chunks(count, workers_wanted, weights)
    workers = _spawn(function, items, parts[1:])
    batch: Batch[Result] = Batch(function, items, parts[1:], workers)
    try:
        own = [function(items[index]) for index in parts[0]]
    except BaseException:
        batch.close()
        raise
    return own + batch.results()


def _spawn(
    function: Callable[[Any], object], items: Sequence[Any], parts: list[range]
) -> list[_Worker]:
    """Fork one worker per chunk; a chunk whose fork fails is left to the parent."""
    workers: list[_Worker] = []
    sys.stdout.flush()
    sys.stderr.flush()
    for part in parts:
        try:
            read, write = os.pipe()
        except OSError:
            break
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            break
        if pid == 0:
            _child(function, items, part, write, [worker.fd for worker in workers] + [read])
        os.close(write)
        workers.append(_Worker(pid, read, part))
    return workers


def _child(
    function: Callable[[Any], object],
    items: Sequence[Any],
    part: range,
    write: int,
    inherited: list[int],
) -> None:
    """A worker's whole life: compute its chunk, write it pickled, and leave with os._exit so
    nothing of the parent (atexit, finally blocks, buffered output) runs twice."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        for fd in inherited:
            os.close(fd)
        data = pickle.dumps(
            [function(items[index]) for index in part], protocol=pickle.HIGHEST_PROTOCOL
        )
        view = memoryview(data)
        while view:
            view = view[os.write(write, view) :]
        code = 0
    finally:
        os._exit(code)


def _collect(workers: list[_Worker]) -> dict[int, list[object]]:
    """Read every worker's pipe to its end and unpickle what complete workers sent, keyed by
    the start of their chunk; a worker that failed or died sent nothing usable."""
    open_workers = {worker.fd: worker for worker in workers}
    with selectors.DefaultSelector() as selector:
        for worker in workers:
            selector.register(worker.fd, selectors.EVENT_READ)
        while open_workers:
            for key, _ in selector.select():
                worker = open_workers[int(key.fd)]
                chunk = os.read(worker.fd, 1 << 20)
                if chunk:
                    worker.data += chunk
                    continue
                selector.unregister(worker.fd)
                del open_workers[worker.fd]
    _reap(workers, kill=False)
    delivered: dict[int, list[object]] = {}
    for worker in workers:
        if worker.status != 0 or not worker.data:
            continue
        try:
            value = pickle.loads(worker.data)
        except Exception:
            continue
        if isinstance(value, list):
            delivered[worker.part.start] = value
    return delivered


def _reap(workers: list[_Worker], kill: bool) -> None:
    """Wait for every worker not yet waited for (killing it first when `kill`) and close its
    pipe, so no zombie or descriptor is left behind."""
    for worker in workers:
        if worker.status is None:
            if kill:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker.pid, signal.SIGKILL)
            while True:
                try:
                    _, status = os.waitpid(worker.pid, 0)
                except InterruptedError:
                    continue
                except ChildProcessError:
                    status = -1
                break
            worker.status = os.waitstatus_to_exitcode(status) if status != -1 else -1
        if worker.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(worker.fd)
            worker.fd = -1
