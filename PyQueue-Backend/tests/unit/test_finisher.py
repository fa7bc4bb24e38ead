"""The finisher (group commit): every end recorded once, in batches, by one or more threads."""

from __future__ import annotations

import threading

from pyqueue.enums import TaskStatus
from pyqueue.models.task import Outcome, Task
from pyqueue.system.finisher import BATCH, Ends, Finisher

DONE = Outcome(TaskStatus.COMPLETED)


def _task(n: int) -> Task:
    return Task.create("ECHO", n, 0, t_id=f"t{n:05d}")


class _Recorder:
    """A ``record`` callback that keeps every batch; the first ``hold`` batches wait at a barrier
    until that many batches are being recorded at the same time."""

    def __init__(self, hold: int = 0) -> None:
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(hold) if hold else None
        self._held = 0
        self.alone = False
        """A held batch waited in vain for the others (they were not recorded meanwhile)."""

    def __call__(self, ends: Ends) -> None:
        with self._lock:
            self.batches.append([task.t_id for task, _ in ends])
            wait = self._barrier is not None and self._held < self._barrier.parties
            self._held += wait
        if wait:
            assert self._barrier is not None
            try:
                self._barrier.wait(timeout=5)
            except threading.BrokenBarrierError:
                self.alone = True


def test_every_end_is_recorded_exactly_once_in_batches_of_at_most_batch() -> None:
    recorder = _Recorder()
    finisher = Finisher(recorder, threads=3)
    finisher.start()
    tasks = [_task(n) for n in range(2000)]
    for task in tasks:
        finisher.put(task, DONE)
    assert finisher.close(timeout=10)
    recorded = [t_id for batch in recorder.batches for t_id in batch]
    assert sorted(recorded) == [t.t_id for t in tasks]  # each once, none lost
    assert all(0 < len(batch) <= BATCH for batch in recorder.batches)


def test_with_two_threads_a_batch_is_recorded_while_another_is() -> None:
    # Both batches wait at a two-party barrier inside ``record``: with a single thread the second
    # batch would wait for the first to return, and the barrier would break after 5 s.
    recorder = _Recorder(hold=2)
    finisher = Finisher(recorder, threads=2)
    finisher.start()
    finisher.put(_task(1), DONE)
    while not recorder.batches:  # the first batch is being recorded (and waits)
        threading.Event().wait(0.001)
    finisher.put(_task(2), DONE)
    assert finisher.close(timeout=15)
    assert not recorder.alone
    assert sorted(recorder.batches) == [["t00001"], ["t00002"]]


def test_close_records_what_is_pending_before_it_returns() -> None:
    recorder = _Recorder()
    finisher = Finisher(recorder, threads=2, idle_wait=60)
    for n in range(300):  # put before start: all pending at close
        finisher.put(_task(n), DONE)
    finisher.start()
    assert finisher.close(timeout=10)  # does not sit out the idle wait
    assert sum(len(batch) for batch in recorder.batches) == 300
