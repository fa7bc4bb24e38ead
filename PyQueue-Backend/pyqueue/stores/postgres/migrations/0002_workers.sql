-- The worker pools each process reports on its heartbeat, for cluster-wide stats.
CREATE TABLE pyqueue_workers (
    process_id text PRIMARY KEY,
    busy       integer NOT NULL,
    total      integer NOT NULL,
    seen_at    timestamptz NOT NULL
);
