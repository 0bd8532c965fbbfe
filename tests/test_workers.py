"""mmkit.checks.workers: forked workers give the sequential results, whatever becomes of them.

Each test forces forking (fork=True) so it does not depend on the threshold, and checks that no
child process is left behind. Test runs ignore native threads (tach's pytest plugin starts a
Rust ctrl-c thread, which would keep the helper from forking); Python threads still count.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from mmkit.checks import workers

PARENT = os.getpid()
OS_THREAD_COUNT = workers.thread_count
COMPUTED: Counter[int] = Counter()
ITEMS = list(range(300))


def square(item: int) -> tuple[int, str]:
    """A result that is not the item itself, so a lost or shifted result shows."""
    return item * item, f"item-{item}"


def pid_of(item: int) -> int:
    """Which process computed the item; slow enough that every process takes some chunks."""
    time.sleep(0.0002)
    return os.getpid()


def dies_in_child(item: int) -> tuple[int, str]:
    """Kills a worker (never the parent) at its 30th item, after it finished some chunks, as
    an OOM killer would."""
    time.sleep(0.0002)
    COMPUTED[os.getpid()] += 1
    if COMPUTED[os.getpid()] == 30 and os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    return square(item)


def fails(item: int) -> int:
    """Raises for two items: the first of them in input order must be the one seen."""
    if item in (120, 280):
        raise ValueError(f"bad item {item}")
    return item


class Stubborn:
    """Cannot be pickled, so a worker cannot send it back; the parent computes it again."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("not picklable")


def stubborn(item: int) -> Stubborn:
    return Stubborn(item)


def open_descriptors() -> set[str]:
    """This process's open file descriptors, where the OS lists them."""
    try:
        return set(os.listdir("/proc/self/fd"))
    except OSError:
        return set()


@pytest.fixture(autouse=True)
def no_children_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No worker outlives a call, and no pipe stays open: no child to wait for afterwards."""
    monkeypatch.delenv(workers.JOBS_ENV, raising=False)
    monkeypatch.setattr(workers, "thread_count", threading.active_count)
    before = open_descriptors()
    yield
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
    assert open_descriptors() <= before


needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@needs_fork
@pytest.mark.parametrize("jobs", [2, 3, 7])
def test_workers_give_the_sequential_results_in_order(jobs: int) -> None:
    expected = [square(item) for item in ITEMS]

    assert workers.map_files(square, ITEMS, jobs=jobs, fork=True) == expected
    assert workers.start(square, ITEMS, jobs=jobs, fork=True).results() == expected
    weights = [1 + (item % 17) * 50 for item in ITEMS]
    assert workers.map_files(square, ITEMS, jobs=jobs, weights=weights, fork=True) == expected


@needs_fork
def test_the_work_is_spread_over_processes_and_can_be_done_twice() -> None:
    for _ in range(2):
        pids = workers.map_files(pid_of, ITEMS, jobs=2, fork=True)
        assert PARENT in pids
        assert len(set(pids)) == 2
        started = workers.start(pid_of, ITEMS, jobs=2, fork=True).results()
        assert set(started) - {PARENT}


def test_mmkit_jobs_1_never_forks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.JOBS_ENV, "1")

    assert set(workers.map_files(pid_of, ITEMS, fork=True)) == {PARENT}
    assert set(workers.start(pid_of, ITEMS, fork=True).results()) == {PARENT}


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_a_wrong_mmkit_jobs_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(workers.JOBS_ENV, value)

    with pytest.raises(ValueError, match=f"MMKIT_JOBS must be .*got '{value}'"):
        workers.map_files(square, ITEMS)


def test_the_default_follows_the_usable_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.JOBS_ENV, "")
    assert workers.resolve_jobs() == workers.default_jobs()
    assert 1 <= workers.default_jobs() <= workers.MAX_JOBS
    monkeypatch.setenv(workers.JOBS_ENV, "12")
    assert workers.resolve_jobs() == 12
    assert workers.resolve_jobs(3) == 3


def test_weights_must_match_the_items() -> None:
    with pytest.raises(ValueError, match="2 weights for 300 items"):
        workers.map_files(square, ITEMS, weights=[1, 2])


def test_small_batches_stay_in_process() -> None:
    assert set(workers.map_files(pid_of, list(range(10)), jobs=2)) == {PARENT}
    assert not workers.worth_forking(workers.MIN_ITEMS - 1)
    assert workers.worth_forking(workers.MIN_ITEMS)
    assert not workers.worth_forking(workers.MIN_ITEMS, [1] * workers.MIN_ITEMS)
    assert workers.worth_forking(10, [workers.MIN_BYTES // 10] * 10)
    assert not workers.worth_forking(1, [workers.MIN_BYTES])


@needs_fork
def test_a_killed_worker_costs_time_not_results() -> None:
    expected = [square(item) for item in ITEMS]

    assert workers.map_files(dies_in_child, ITEMS, jobs=2, fork=True) == expected
    assert workers.start(dies_in_child, ITEMS, jobs=3, fork=True).results() == expected


@needs_fork
def test_an_unpicklable_result_is_computed_in_the_parent() -> None:
    found = workers.map_files(stubborn, ITEMS, jobs=2, fork=True)

    assert [result.value for result in found] == ITEMS


@needs_fork
@pytest.mark.parametrize("jobs", [2, 4])
def test_the_first_exception_in_input_order_propagates(jobs: int) -> None:
    with pytest.raises(ValueError, match="bad item 120"):
        workers.map_files(fails, ITEMS, jobs=jobs, fork=True)
    with pytest.raises(ValueError, match="bad item 120"):
        workers.start(fails, ITEMS, jobs=jobs, fork=True).results()


def test_the_os_thread_count_sees_every_python_thread() -> None:
    assert OS_THREAD_COUNT() >= threading.active_count()


def test_a_process_with_threads_does_not_fork() -> None:
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not workers.can_fork()
        assert set(workers.map_files(pid_of, ITEMS, jobs=2, fork=True)) == {PARENT}
    finally:
        release.set()
        thread.join()


@needs_fork
def test_a_batch_closed_unread_leaves_no_worker() -> None:
    batch = workers.start(square, ITEMS, jobs=2, fork=True)
    batch.close()
    assert batch.results() == [square(item) for item in ITEMS]


@pytest.mark.parametrize("count", [0, 1, 2, 5, 300])
@pytest.mark.parametrize("parts", [1, 2, 3, 8])
def test_chunks_are_contiguous_and_cover_every_item(count: int, parts: int) -> None:
    for weights in (None, [1 + (item % 7) ** 3 for item in range(count)], [0] * count):
        found = workers.chunks(count, parts, weights)
        assert [index for part in found for index in part] == list(range(count))
        assert all(len(part) for part in found)
        assert len(found) == min(parts, count)


def test_chunks_balance_the_weights() -> None:
    weights = [100] * 10 + [1] * 90

    first, second = workers.chunks(100, 2, weights)

    assert len(first) == 5
    assert len(second) == 95
