"""Pure per-file work spread over forked worker processes, for the CLI's cold run.

Reading and scanning thousands of files is single-threaded Python; each file's facts depend on
its bytes alone, so contiguous chunks of the files can be computed in forked children and their
results sent back pickled through a pipe. Forking shares the parent's memory, so nothing is
sent to a worker: it inherits the function and its items. The chunks (several per process, cut
by weight) are handed out through one pipe of chunk numbers that every process reads from,
this one too once it is free: a process that finishes early takes the next chunk.

Only the CLI opts in. Forking a process that runs other threads can deadlock the child (a lock
held by a thread that does not exist there), so the helper works sequentially unless this
process has one thread, counted by the OS (Linux: /proc/self/task), which also sees threads
started by native code. grimp's Rust scan starts a thread pool that lives on, so the work is
started before grimp's scan (`start`, then the scan, then `Batch.results`), never after; that
is also the fastest order measured. Django's `manage.py check` may run inside runserver's
threads and never uses workers.

Whatever happens to a worker (killed, out of memory, an unpicklable result, an exception), the
chunks it did not deliver are computed again in this process, in order, so the results are the
sequential ones and an exception of `function` is raised here, from the first item that raises.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import selectors
import signal
import sys
import threading
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate, pairwise
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

JOBS_ENV = "MMKIT_JOBS"
"""Processes to use (this one included), overriding the CPU count; 1 never forks. Empty
counts as unset; anything but a whole number of at least 1 is an error."""
MAX_JOBS = 8
"""The default's cap: each worker's results are unpickled here, one process, so past a few
workers that dominates (measured on 2 CPUs only; the cap is a guess beyond that)."""
MIN_ITEMS = 500
"""Without weights, fewer items run in-process. Measured for a file's facts and, when it has
a class statement, its scan (about 25 us a file on small generated files): 2 processes break
even near 500 files, 15 ms of work; a fork, the pickling and the reaping cost 3-5 ms."""
MIN_BYTES = 200_000
"""With weights (bytes of source), a lighter batch runs in-process: the break-even is 400 KB
of small files that rarely define classes and 110 KB of real code (wagtail), whose scans cost
more per byte; at 200 KB the first lose under 1 ms and the second gain 5 ms."""
MIN_WEIGHED_ITEMS = 8
"""Even a heavy batch needs a few items to be cut into chunks worth sending."""
CHUNKS_PER_PROCESS = 8
"""Chunks per process: enough that one slow chunk or a late start evens out."""
_MAX_CHUNKS = 1024
"""Chunk numbers are 4 bytes each, all written at once: 4 KiB fits any pipe's buffer."""
_TASK = 4


def jobs_setting(environ: Mapping[str, str] = os.environ) -> int | None:
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
        raise ValueError(f"{JOBS_ENV} must be a whole number of processes, 1 or more; got {raw!r}")
    return count


def default_jobs() -> int:
    """The CPUs this process may run on (its affinity where the OS says), capped at MAX_JOBS."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_JOBS))


def resolve_jobs(jobs: int | None = None) -> int:
    """How many processes, this one included: `jobs` when given (a CLI option), else
    MMKIT_JOBS, else default_jobs()."""
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


def can_fork() -> bool:
    """Whether forking is possible and safe here: Linux (macOS's system libraries are not safe
    to use in a forked child, Windows has no fork) and only one thread."""
    return (
        sys.platform.startswith("linux") and threading.active_count() == 1 and thread_count() == 1
    )


def forks(
    count: int,
    weights: Sequence[int] | None = None,
    jobs: int | None = None,
    fork: bool | None = None,
) -> bool:
    """Whether `start` would fork for this batch: more than one process wanted, a batch worth
    it (or `fork` True), and forking safe here."""
    decided = worth_forking(count, weights) if fork is None else fork
    return resolve_jobs(jobs) > 1 and count > 1 and decided and can_fork()


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
    """Whether a batch is large enough that workers pay (MIN_ITEMS, or MIN_BYTES of weight)."""
    if weights is None:
        return count >= MIN_ITEMS
    return count >= MIN_WEIGHED_ITEMS and sum(weights) >= MIN_BYTES


@dataclass
class _Worker:
    """One forked child; `data` gathers what it writes to its pipe."""

    pid: int
    fd: int
    data: bytearray = field(default_factory=bytearray)
    status: int | None = None


@dataclass
class Batch(Generic[Result]):
    """Work started by `start`; `results` joins in, gathers it in input order and reaps."""

    function: Callable[[Any], Result]
    items: Sequence[Any]
    parts: list[range]
    workers: list[_Worker]
    tasks: int = -1
    owner: int = field(default_factory=os.getpid)
    _done: list[Result] | None = None

    def results(self) -> list[Result]:
        """Every item's result, in order: this process takes chunks until none is left, then
        reads the workers' results; a chunk nobody delivered is computed here."""
        if self._done is not None:
            return self._done
        own: dict[int, list[Result]] = {}
        try:
            own = _work(self.function, self.items, self.parts, self.tasks)
            delivered = _collect(self.workers)
        finally:
            self.close()
        results: list[Result] = []
        for index, part in enumerate(self.parts):
            found = own.get(index)
            if found is None:
                found = delivered.get(index)
            if found is None or len(found) != len(part):
                found = [self.function(self.items[item]) for item in part]
            results.extend(found)
        self._done = results
        return results

    def close(self) -> None:
        """Stop and reap the workers (those still running are killed) and close the pipes; only
        in the process that started them, never in a worker that inherited the batch."""
        if os.getpid() != self.owner:
            return
        _reap(self.workers, kill=True)
        self.workers = []
        if self.tasks >= 0:
            with contextlib.suppress(OSError):
                os.close(self.tasks)
            self.tasks = -1

    def __del__(self) -> None:
        if self.workers or self.tasks >= 0:
            self.close()


def start(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int | None = None,
    weights: Sequence[int] | None = None,
    fork: bool | None = None,
) -> Batch[Result]:
    """Fork `jobs - 1` workers computing `function` of the items and return at once; the caller
    may do other work (grimp's scan) first, then joins in with `Batch.results()`.

    `jobs` counts this process too (default: resolve_jobs). `function` is a module-level pure
    function and must not start threads or print (a worker's output is never flushed).
    `weights` (bytes of each file) balance the chunks and feed the threshold. `fork` True forks
    whenever it is safe, False never; None decides by size (worth_forking). Without workers
    the whole batch is computed in `results()`.
    """
    count = len(items)
    processes = resolve_jobs(jobs)
    if weights is not None and len(weights) != count:
        raise ValueError(f"{len(weights)} weights for {count} items")
    whole = [range(0, count)] if count else []
    if not forks(count, weights, jobs, fork):
        return Batch(function, items, whole, [])
    parts = chunks(count, min(processes * CHUNKS_PER_PROCESS, _MAX_CHUNKS), weights)
    try:
        tasks, feed = os.pipe()
    except OSError:
        return Batch(function, items, whole, [])
    os.write(feed, b"".join(index.to_bytes(_TASK, "little") for index in range(len(parts))))
    os.close(feed)
    batch = Batch(function, items, parts, [], tasks)
    sys.stdout.flush()
    sys.stderr.flush()
    for _ in range(processes - 1):
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
            _child(function, items, parts, tasks, write, [w.fd for w in batch.workers] + [read])
        os.close(write)
        batch.workers.append(_Worker(pid, read))
    return batch


def map_files(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    *,
    jobs: int | None = None,
    weights: Sequence[int] | None = None,
    fork: bool | None = None,
) -> list[Result]:
    """`[function(item) for item in items]` spread over `jobs` processes, this one included:
    `start(...).results()`. The results are those of the sequential path in every case."""
    return start(function, items, jobs=jobs, weights=weights, fork=fork).results()


def _work(
    function: Callable[[Any], Result], items: Sequence[Any], parts: list[range], tasks: int
) -> dict[int, list[Result]]:
    """Take chunk numbers from `tasks` until none is left and compute those chunks; stop at an
    exception of `function`, whose chunk is then left out (the caller computes it again)."""
    done: dict[int, list[Result]] = {}
    while tasks >= 0:
        task = os.read(tasks, _TASK)
        if len(task) < _TASK:
            break
        index = int.from_bytes(task, "little")
        try:
            done[index] = [function(items[item]) for item in parts[index]]
        except Exception:
            break
    return done


def _child(
    function: Callable[[Any], object],
    items: Sequence[Any],
    parts: list[range],
    tasks: int,
    write: int,
    inherited: list[int],
) -> None:
    """A worker's whole life: compute chunks while there are some, write them pickled, and
    leave with os._exit so nothing of the parent (atexit, finally blocks, buffers) runs twice.
    The inherited heap is frozen: the collector would walk it, copying its pages, for nothing."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        gc.freeze()
        for fd in inherited:
            os.close(fd)
        done = _work(function, items, parts, tasks)
        data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            view = view[os.write(write, view) :]
        code = 0
    finally:
        os._exit(code)


def _collect(workers: list[_Worker]) -> dict[int, list[Any]]:
    """Read every worker's pipe to its end and unpickle what complete workers sent, keyed by
    chunk number; a worker that died sent nothing usable."""
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
    delivered: dict[int, list[Any]] = {}
    for worker in workers:
        if worker.status != 0 or not worker.data:
            continue
        try:
            value = _unpickled(worker.data)
        except Exception:
            continue
        if isinstance(value, dict):
            delivered.update(value)
    return delivered


def _unpickled(data: bytearray) -> object:
    """pickle.loads without the cyclic collector, which makes no garbage to find there but
    walks the whole heap as the new objects pile up (twice as slow in a 20,000-file run)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


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
