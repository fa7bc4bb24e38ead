"""Every benchmarked system by name; modules are imported only when their system runs."""

from __future__ import annotations

import importlib

from bench.systems.base import NotSupported, System

SYSTEMS: dict[str, str] = {
    "pyqueue-memory": "pyqueue_sys:PyQueueMemory",
    "pyqueue-sqlite": "pyqueue_sys:PyQueueSqlite",
    "pyqueue-postgres": "pyqueue_sys:PyQueuePostgres",
    "raw-threadpool": "baselines:RawThreadPool",
    "raw-pg-claim-1": "baselines:RawPgClaimRow",
    "raw-pg-claim-100": "baselines:RawPgClaimBatch",
    "huey-memory": "huey_sys:HueyMemory",
    "huey-memory-w1": "huey_sys:HueyMemoryOneWorker",
    "huey-sqlite": "huey_sys:HueySqlite",
    "huey-redis": "huey_sys:HueyRedis",
    "dramatiq-stub": "dramatiq_sys:DramatiqStub",
    "dramatiq-redis": "dramatiq_sys:DramatiqRedis",
    "rq": "rq_sys:RqSystem",
    "pgqueuer": "pgqueuer_sys:PgQueuer",
    "procrastinate": "procrastinate_sys:Procrastinate",
}

__all__ = ["SYSTEMS", "NotSupported", "System", "load"]


def load(name: str) -> System:
    module_name, class_name = SYSTEMS[name].split(":")
    module = importlib.import_module(f"bench.systems.{module_name}")
    system: System = getattr(module, class_name)()
    return system
