"""The schedule model: cron ticks (croniter) in a time zone, validation, ``@task(schedule=...)``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pyqueue.errors import ConfigurationError, InvalidSchedule
from pyqueue.models.handlers import HandlerRegistry
from pyqueue.models.schedule import (
    Schedule,
    check_cron,
    check_timezone,
    latest_tick,
    next_tick,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_ticks_follow_the_time_zone_across_daylight_saving() -> None:
    # Berlin moves from CET (+1) to CEST (+2) on 2026-03-29: 09:00 local is 08:00, then 07:00 UTC
    first = next_tick("0 9 * * *", "Europe/Berlin", at("2026-03-28T00:00:00+00:00"))
    second = next_tick("0 9 * * *", "Europe/Berlin", first)
    assert first == at("2026-03-28T08:00:00+00:00")
    assert second == at("2026-03-29T07:00:00+00:00")
    assert first.tzinfo == UTC


def test_six_fields_put_seconds_first() -> None:
    start = at("2026-01-01T00:00:01.5+00:00")
    assert next_tick("*/5 * * * * *", "UTC", start) == at("2026-01-01T00:00:05+00:00")
    assert next_tick("30 * * * * *", "UTC", start) == at("2026-01-01T00:00:30+00:00")


def test_the_latest_tick_includes_now_itself() -> None:
    assert latest_tick("*/2 * * * * *", "UTC", at("2026-01-01T00:00:04+00:00")) == at(
        "2026-01-01T00:00:04+00:00"
    )
    assert latest_tick("*/2 * * * * *", "UTC", at("2026-01-01T00:00:05.9+00:00")) == at(
        "2026-01-01T00:00:04+00:00"
    )
    assert latest_tick("0 * * * *", "UTC", at("2026-01-01T05:59:59+00:00")) == at(
        "2026-01-01T05:00:00+00:00"
    )


def test_firing_after_downtime_takes_the_latest_tick_and_moves_past_now() -> None:
    created = at("2026-01-01T00:00:00.5+00:00")
    schedule = Schedule.create("EMAIL", "*/10 * * * * *", None, now=created)
    assert schedule.next_run_at == at("2026-01-01T00:00:10+00:00")
    now = at("2026-01-01T01:00:03+00:00")  # an hour of ticks missed
    tick, advanced = schedule.fired(now)
    assert tick == at("2026-01-01T01:00:00+00:00")
    assert advanced.next_run_at == at("2026-01-01T01:00:10+00:00")
    assert advanced.last_run_at == tick
    on_time, _ = schedule.fired(schedule.next_run_at)
    assert on_time == schedule.next_run_at


def test_the_tick_task_id_is_the_same_everywhere_and_differs_per_tick() -> None:
    schedule = Schedule.create("EMAIL", "* * * * *", None)
    tick = schedule.next_run_at
    assert schedule.tick_task_id(tick) == schedule.tick_task_id(tick)
    assert schedule.tick_task_id(tick) != schedule.tick_task_id(tick + timedelta(minutes=1))
    assert schedule.tick_task_id(tick).startswith("Task-")
    assert len(schedule.tick_task_id(tick)) == 31


@pytest.mark.parametrize(
    "cron",
    [
        "",
        "   ",
        "x",
        "* * * *",
        "* * * * * * *",
        "61 * * * *",
        "0 0 30 2 *",
        "@never",
        "@reboot",
        "H * * * *",
        "R * * * *",
        "0 r(0-5) * * *",
        "0\x00 * * * *",
    ],
)
def test_bad_cron_expressions_are_refused(cron: str) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        check_cron(cron)
    assert caught.value.field == "cron"
    assert caught.value.message.startswith("cron: ")


def test_cron_whitespace_is_normalised() -> None:
    assert check_cron("  0   9 * *  1-5 ") == "0 9 * * 1-5"
    assert check_cron("@daily") == "@daily"


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "utc+1", "../UTC", "Europe/"])
def test_unknown_time_zones_are_refused(zone: str) -> None:
    with pytest.raises(InvalidSchedule) as caught:
        check_timezone(zone)
    assert caught.value.field == "timezone"


def test_task_decorator_declares_a_schedule() -> None:
    registry = HandlerRegistry()

    @registry.register(
        "REPORT", schedule="0 * * * *", schedule_timezone="Asia/Tokyo", schedule_payload={"a": 1}
    )
    def report(payload: object, ctx: object) -> None:
        return None

    spec = registry.get("REPORT").schedule
    assert spec is not None
    assert (spec.cron, spec.timezone, spec.payload) == ("0 * * * *", "Asia/Tokyo", {"a": 1})
    assert registry.copy().get("REPORT").schedule == spec
    assert registry.get("REPORT").func is report


@pytest.mark.parametrize(
    ("options", "word"),
    [
        ({"schedule": "every hour"}, "cron"),
        ({"schedule": "0 * * * *", "schedule_timezone": "Nowhere"}, "timezone"),
        ({"schedule": "0 * * * *", "schedule_payload": {"schedule_id": 1}}, "payload"),
    ],
)
def test_a_bad_declaration_stops_start_up_with_one_line(options: dict[str, str], word: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        HandlerRegistry().register("REPORT", **options)  # type: ignore[arg-type]
    assert caught.value.message.startswith(f"@task('REPORT', schedule=...): {word}: ")
