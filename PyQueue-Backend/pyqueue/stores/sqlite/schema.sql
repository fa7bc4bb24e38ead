-- PyQueue's SQLite schema. Every statement is idempotent, so a file of an older version is brought
-- up to date by running this script again; the store then sets PRAGMA user_version to its
-- SCHEMA_VERSION. Timestamps are integer microseconds since the Unix epoch (UTC); payload and
-- result are JSON text. `run_at` is when a QUEUED task became
-- eligible (its retry or scheduled time, else its last transition): within a priority, the order
-- in which claims take tasks.
CREATE TABLE IF NOT EXISTS tasks (
    t_id             TEXT PRIMARY KEY,
    t_type           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    max_retries      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    next_run_at      INTEGER,
    last_error       TEXT,
    result           TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    lease_id         TEXT,
    lease_expires_at INTEGER,
    run_at           INTEGER NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    timeout_seconds  REAL,
    idempotency_key  TEXT,
    progress         REAL,
    progress_message TEXT
) WITHOUT ROWID;

-- Version 3: claims take the highest priority first, FIFO (run_at, then id) within a priority.
-- A version 2 file gets the priority column from the store before this script runs (see
-- UPGRADE_COLUMNS in store.py: ADD COLUMN cannot be written idempotently in SQL).
DROP INDEX IF EXISTS tasks_claim;
CREATE INDEX IF NOT EXISTS tasks_ready ON tasks (priority DESC, run_at, t_id)
    WHERE status = 'QUEUED';
CREATE INDEX IF NOT EXISTS tasks_retry ON tasks (next_run_at)
    WHERE status = 'QUEUED' AND next_run_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_lease ON tasks (lease_expires_at) WHERE status = 'INPROGRESS';
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status, t_id);
CREATE INDEX IF NOT EXISTS tasks_type ON tasks (t_type, t_id);
CREATE INDEX IF NOT EXISTS tasks_status_type ON tasks (status, t_type, t_id);
-- Version 4 (control): while a task with an idempotency key exists, no other task has that key;
-- enqueue inserts with ON CONFLICT DO NOTHING and then reads the existing task (atomic).
CREATE UNIQUE INDEX IF NOT EXISTS tasks_idempotency ON tasks (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- The change feed that relays other processes' changes to this process's event stream.
CREATE INDEX IF NOT EXISTS tasks_updated ON tasks (updated_at);

-- How many tasks have each (status, type): page totals and counts() never scan the tasks.
CREATE TABLE IF NOT EXISTS task_counts (
    status TEXT NOT NULL,
    t_type TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (status, t_type)
) WITHOUT ROWID;

-- Tasks that ended COMPLETED or FAILED per minute (minute = Unix seconds // 60).
CREATE TABLE IF NOT EXISTS task_minutes (
    minute    INTEGER PRIMARY KEY,
    completed INTEGER NOT NULL DEFAULT 0,
    failed    INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER IF NOT EXISTS tasks_count_insert AFTER INSERT ON tasks
BEGIN
    INSERT INTO task_counts (status, t_type, n) VALUES (NEW.status, NEW.t_type, 1)
        ON CONFLICT (status, t_type) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER IF NOT EXISTS tasks_count_delete AFTER DELETE ON tasks
BEGIN
    UPDATE task_counts SET n = n - 1 WHERE status = OLD.status AND t_type = OLD.t_type;
END;

-- Version 5: a status change is counted by the store that makes it, once per transaction
-- (SQLiteStore._count_moves), not by row triggers: an UPDATE of a table with an UPDATE trigger
-- cost about a quarter more, whether or not the trigger's WHEN let it run.
DROP TRIGGER IF EXISTS tasks_count_update;
DROP TRIGGER IF EXISTS tasks_count_minute;

-- Version 2: the worker pools each process reports on its heartbeat (for cluster-wide stats).
CREATE TABLE IF NOT EXISTS pyqueue_workers (
    process_id TEXT PRIMARY KEY,
    busy       INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    seen_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Version 4, retention: purges find finished tasks by status and finish time, oldest first.
CREATE INDEX IF NOT EXISTS tasks_finished ON tasks (status, finished_at)
    WHERE finished_at IS NOT NULL;
-- The chart counts the stored COMPLETED and FAILED tasks by the minute they finished, as the
-- cards count stored tasks: a task that is deleted, cleared, purged or retried by hand leaves its
-- minute (a minute already trimmed stays gone; nothing goes below zero).
DROP TRIGGER IF EXISTS tasks_uncount_minute;  -- version 5, as above
CREATE TRIGGER IF NOT EXISTS tasks_uncount_minute_delete AFTER DELETE ON tasks
    WHEN OLD.status IN ('COMPLETED', 'FAILED') AND OLD.finished_at IS NOT NULL
BEGIN
    UPDATE task_minutes SET completed = max(0, completed - (OLD.status = 'COMPLETED')),
        failed = max(0, failed - (OLD.status = 'FAILED'))
    WHERE minute = OLD.finished_at / 60000000;
END;

-- Version 4, attempt history: one row per attempt, opened in the claim's transaction and closed
-- in the one that records its end (or the lease recovery's), so it never disagrees with the task.
-- outcome: RUNNING until it ends (pyqueue.models.control.AttemptOutcome).
CREATE TABLE IF NOT EXISTS attempts (
    id          INTEGER PRIMARY KEY,
    task_id     TEXT NOT NULL,
    number      INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    worker      TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT 'RUNNING',
    error       TEXT,
    traceback   TEXT
);
CREATE INDEX IF NOT EXISTS attempts_task ON attempts (task_id, id);
-- Deleting a task (delete, clear, retention) deletes its attempts.
CREATE TRIGGER IF NOT EXISTS tasks_attempts_delete AFTER DELETE ON tasks
BEGIN
    DELETE FROM attempts WHERE task_id = OLD.t_id;
END;

-- Version 4, pauses: a paused task type, or the whole queue (name ''), is skipped by claims.
CREATE TABLE IF NOT EXISTS pauses (
    name      TEXT PRIMARY KEY,
    paused_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Version 4, operations: the audit log of changes made through the API (newest first by id),
-- the readiness probe's one-row table (GET /api/ready writes it; it never holds a task), and the
-- oldest QUEUED task of each type for the metrics (min(run_at) per type, one index seek each).
CREATE TABLE IF NOT EXISTS audit_log (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    role   TEXT NOT NULL,
    client TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    count  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS readiness_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_queued_type ON tasks (t_type, run_at) WHERE status = 'QUEUED';

-- Version 4: periodic tasks. A schedule fires when next_run_at (UTC microseconds) is due: the
-- process that moves next_run_at on from the value it read (compare-and-swap) adds the tick's
-- task in the same transaction. source is 'api' or 'code' (declared with @task(schedule=...)).
CREATE TABLE IF NOT EXISTS schedules (
    id          TEXT PRIMARY KEY,
    t_type      TEXT NOT NULL,
    payload     TEXT NOT NULL,
    cron        TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    paused      INTEGER NOT NULL DEFAULT 0,
    next_run_at INTEGER NOT NULL,
    last_run_at INTEGER,
    source      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS schedules_due ON schedules (next_run_at) WHERE paused = 0;

-- Version 5: the counts are taken again from the tasks when a file is created or upgraded (an
-- older file's triggers kept them; this makes them right whatever came before).
DELETE FROM task_counts;
INSERT INTO task_counts (status, t_type, n)
    SELECT status, t_type, count(*) FROM tasks GROUP BY status, t_type;
