"""``postgresql://…``: one queue shared by many processes on many machines.

``store.py`` is the store, ``listener.py`` its LISTEN/NOTIFY wake-ups, ``migrate.py`` applies the
``migrations/*.sql``; the statements are in ``queries.sql``.
"""

from pyqueue.stores.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
