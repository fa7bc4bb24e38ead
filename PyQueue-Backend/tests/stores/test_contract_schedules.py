"""Contract: periodic tasks (schedules) in every store — the compare-and-swap that fires each tick
once, the upsert of code schedules, and one run after downtime."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pyqueue.enums import TaskStatus
from pyqueue.errors import InvalidTaskState, ScheduleNotFound
from pyqueue.models.handlers import HandlerRegistry
from pyqueue.models.schedule import Schedule, ScheduleSpec
from pyqueue.models.task import Task, utcnow
from pyqueue.models.values import TaskQuery
from pyqueue.stores import ScheduleStore, TaskStore
from pyqueue.system.scheduler import Schedules


def schedules_of(store: TaskStore) -> ScheduleStore:
    assert isinstance(store, ScheduleStore)
    return store


def every_second(now: datetime | None = None, **changes: object) -> Schedule:
    schedule = Schedule.create("EMAIL", "* * * * * *", {"to": "ops"}, now=now)
    return replace(schedule, **changes)  # type: ignore[arg-type]


def service(store: TaskStore, enqueued: list[Task] | None = None) -> Schedules:
    registry = HandlerRegistry()
    registry.add("EMAIL", lambda payload, ctx: None)
    registry.add(
        "REPORT",
        lambda payload, ctx: None,
        schedule=ScheduleSpec.declare("REPORT", "0 3 * * *", "Europe/Berlin", {"kind": "daily"}),
    )
    sink = enqueued if enqueued is not None else []
    return Schedules(
        schedules_of(store),
        registry,
        max_retries=2,
        max_payload_bytes=10_000,
        poll=1.0,
        on_enqueued=sink.append,
    )


def test_a_schedule_round_trips(store: TaskStore) -> None:
    schedules = schedules_of(store)
    first = every_second()
    second = Schedule.create("EMAIL", "0 9 * * 1-5", None, "Europe/Berlin", paused=True)
    schedules.add_schedule(first)
    schedules.add_schedule(second)
    assert schedules.get_schedule(first.id) == first
    assert schedules.get_schedule(second.id) == second
    assert schedules.list_schedules() == [first, second]
    with pytest.raises(InvalidTaskState):
        schedules.add_schedule(first)
    assert schedules.delete_schedule(first.id) == first
    assert schedules.delete_schedule(first.id) is None
    assert schedules.get_schedule(first.id) is None
    assert schedules.list_schedules() == [second]


def test_due_schedules_leave_out_paused_and_future_ones(store: TaskStore) -> None:
    schedules = schedules_of(store)
    now = utcnow()
    late = every_second(next_run_at=now - timedelta(seconds=5))
    later = every_second(next_run_at=now - timedelta(seconds=1))
    paused = every_second(next_run_at=now - timedelta(seconds=9), paused=True)
    future = every_second(next_run_at=now + timedelta(hours=1))
    for schedule in (later, paused, future, late):
        schedules.add_schedule(schedule)
    assert schedules.due_schedules(now, 10) == [late, later]
    assert schedules.due_schedules(now, 1) == [late]
    assert schedules.next_schedule_at() == late.next_run_at
    schedules.delete_schedule(late.id)
    schedules.delete_schedule(later.id)
    assert schedules.next_schedule_at() == future.next_run_at  # the paused one does not count
    schedules.delete_schedule(future.id)
    assert schedules.next_schedule_at() is None


def test_fire_is_a_compare_and_swap(store: TaskStore) -> None:
    schedules = schedules_of(store)
    now = utcnow()
    schedule = every_second(next_run_at=now - timedelta(seconds=1))
    schedules.add_schedule(schedule)
    tick, advanced = schedule.fired(now)
    one = Task.create("EMAIL", schedule.tick_payload(tick), 3)
    other = Task.create("EMAIL", schedule.tick_payload(tick), 3)  # another id: only the CAS
    assert schedules.fire_schedule(schedule.next_run_at, advanced, one) is True
    assert schedules.fire_schedule(schedule.next_run_at, advanced, other) is False
    assert store.get(one.t_id) == one
    assert store.get(other.t_id) is None
    stored = schedules.get_schedule(schedule.id)
    assert stored is not None
    assert (stored.next_run_at, stored.last_run_at) == (advanced.next_run_at, tick)
    assert stored.next_run_at > now
    assert store.claim(10, 30)[0].t_id == one.t_id  # a fired tick is an ordinary queued task


def test_many_threads_racing_for_one_tick_enqueue_it_once(store: TaskStore) -> None:
    schedules = schedules_of(store)
    now = utcnow()
    schedule = every_second(next_run_at=now - timedelta(seconds=1))
    schedules.add_schedule(schedule)
    tick, advanced = schedule.fired(now)
    start = threading.Barrier(8)
    won: list[bool] = []

    def racer() -> None:
        task = Task.create("EMAIL", schedule.tick_payload(tick), 3)
        start.wait()
        won.append(schedules.fire_schedule(schedule.next_run_at, advanced, task))

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]
    assert store.list_tasks(TaskQuery())[1] == 1


def test_a_paused_or_deleted_schedule_does_not_fire(store: TaskStore) -> None:
    schedules = schedules_of(store)
    now = utcnow()
    schedule = every_second(next_run_at=now - timedelta(seconds=1))
    schedules.add_schedule(schedule)
    tick, advanced = schedule.fired(now)
    paused = schedules.pause_schedule(schedule.id, True)
    assert paused.paused
    assert paused.next_run_at == schedule.next_run_at
    task = Task.create("EMAIL", schedule.tick_payload(tick), 3)
    assert schedules.fire_schedule(schedule.next_run_at, advanced, task) is False
    schedules.delete_schedule(schedule.id)
    assert schedules.fire_schedule(schedule.next_run_at, advanced, task) is False
    assert store.get(task.t_id) is None
    with pytest.raises(ScheduleNotFound):
        schedules.pause_schedule(schedule.id, False)


def test_resuming_skips_the_ticks_missed_while_paused(store: TaskStore) -> None:
    schedules = schedules_of(store)
    schedule = every_second(next_run_at=utcnow() - timedelta(hours=1), paused=True)
    schedules.add_schedule(schedule)
    before = utcnow()
    resumed = schedules.pause_schedule(schedule.id, False)
    assert not resumed.paused
    assert resumed.next_run_at > before
    assert schedules.get_schedule(schedule.id) == resumed
    assert schedules.pause_schedule(schedule.id, False) == resumed  # already running: no change


def test_a_tick_whose_task_exists_is_not_added_twice(store: TaskStore) -> None:
    schedules = schedules_of(store)
    now = utcnow()
    schedule = every_second(next_run_at=now - timedelta(seconds=1))
    schedules.add_schedule(schedule)
    tick, advanced = schedule.fired(now)
    task = replace(Task.create("EMAIL", {}, 3), t_id=schedule.tick_task_id(tick))
    store.add([task])
    assert schedules.fire_schedule(schedule.next_run_at, advanced, task) is False
    stored = schedules.get_schedule(schedule.id)
    assert stored is not None
    assert stored.next_run_at == advanced.next_run_at  # moved on all the same
    assert store.list_tasks(TaskQuery())[1] == 1


def test_after_downtime_a_schedule_runs_once_for_the_latest_tick(store: TaskStore) -> None:
    enqueued: list[Task] = []
    schedules = service(store, enqueued)
    now = utcnow()
    missed = every_second(next_run_at=now - timedelta(minutes=10))  # 600 ticks missed
    schedules_of(store).add_schedule(missed)
    assert schedules.fire_due() <= 1.0
    assert len(enqueued) == 1
    task = enqueued[0]
    latest = now.replace(microsecond=0)
    scheduled_for = datetime.fromisoformat(task.payload["scheduled_for"])
    assert latest <= scheduled_for <= utcnow()
    assert task.payload == {
        "to": "ops",
        "scheduled_for": scheduled_for.isoformat(),
        "schedule_id": missed.id,
    }
    assert (task.t_type, task.max_retries, task.status) == ("EMAIL", 2, TaskStatus.QUEUED)
    assert task.t_id == missed.tick_task_id(scheduled_for)
    assert store.get(task.t_id) == task
    stored = schedules.get(missed.id)
    assert stored.last_run_at == scheduled_for
    assert stored.next_run_at > scheduled_for
    schedules.fire_due()  # nothing more is due until the next tick
    assert all(t.payload["scheduled_for"] > task.payload["scheduled_for"] for t in enqueued[1:])


def test_code_schedules_are_upserted_never_duplicated(store: TaskStore) -> None:
    schedules = service(store)
    [declared] = schedules.declare_code_schedules()
    assert (declared.id, declared.source, declared.t_type) == ("code:REPORT", "code", "REPORT")
    assert (declared.cron, declared.timezone, declared.payload) == (
        "0 3 * * *",
        "Europe/Berlin",
        {"kind": "daily"},
    )
    assert declared.next_run_at.astimezone(UTC).minute == 0
    again = service(store).declare_code_schedules()  # a restart, or a second process
    assert again == [declared]
    assert schedules.all() == [declared]

    paused = schedules.pause("code:REPORT")
    assert service(store).declare_code_schedules() == [paused]  # a pause set over the API stays

    changed = Schedule.create(
        "REPORT", "30 4 * * *", {"kind": "daily"}, "UTC", schedule_id="code:REPORT", source="code"
    )
    redeclared = schedules_of(store).declare_schedule(changed)
    assert (redeclared.cron, redeclared.timezone, redeclared.paused) == ("30 4 * * *", "UTC", True)
    assert redeclared.next_run_at == changed.next_run_at
    assert redeclared.created_at == declared.created_at
    assert schedules.all() == [redeclared]


def test_schedules_service_validates_and_wakes(store: TaskStore) -> None:
    schedules = service(store)
    created = schedules.create("email", "*/5 * * * *", {"a": 1}, "America/New_York")
    assert created.t_type == "EMAIL"
    assert schedules.get(created.id) == created
    assert schedules.all() == [created]
    schedules.delete(created.id)
    with pytest.raises(ScheduleNotFound):
        schedules.delete(created.id)
    with pytest.raises(ScheduleNotFound):
        schedules.get(created.id)


def test_a_type_this_process_does_not_know_is_left_due_without_a_busy_loop(
    store: TaskStore,
) -> None:
    enqueued: list[Task] = []
    schedules = service(store, enqueued)
    foreign = replace(every_second(next_run_at=utcnow() - timedelta(seconds=1)), t_type="ELSEWHERE")
    schedules_of(store).add_schedule(foreign)
    assert schedules.fire(foreign) is None
    assert schedules.fire_due() == 1.0  # still due: checked again after the poll, not at once
    assert enqueued == []
    assert schedules.get(foreign.id) == foreign
    assert store.list_tasks(TaskQuery())[1] == 0


def test_a_broken_schedule_does_not_hold_up_the_others(
    store: TaskStore, caplog: pytest.LogCaptureFixture
) -> None:
    enqueued: list[Task] = []
    schedules = service(store, enqueued)
    due = utcnow() - timedelta(seconds=1)
    never = replace(every_second(next_run_at=due - timedelta(seconds=1)), cron="0 0 30 2 *")
    fine = every_second(next_run_at=due)
    schedules_of(store).add_schedule(never)  # stored by hand: the API refuses such a cron
    schedules_of(store).add_schedule(fine)
    schedules.fire_due()
    assert [t.payload["schedule_id"] for t in enqueued] == [fine.id]
    assert f"Schedule {never.id} could not be fired" in caplog.text
    assert schedules.get(never.id) == never
