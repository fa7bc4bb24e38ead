-- The SQLite store's statements, by name (`-- name: x`); `{columns}` is the task column list.
-- Timestamps are integer microseconds since the Unix epoch. The hot queries name their index:
-- SQLite's planner guesses badly on a young, unanalysed file. Filtered pages and counts are built
-- from these pieces in Python (their WHERE clause depends on the filters given).

-- name: insert
INSERT INTO tasks ({columns}, run_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_unique
-- A task with an idempotency key: nothing is inserted while another task has the key.
INSERT INTO tasks ({columns}, run_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING

-- name: get_by_key
SELECT {columns} FROM tasks WHERE idempotency_key = ?

-- name: set_progress
-- Fenced: only the attempt holding the lease reports progress.
UPDATE tasks SET progress = ?, progress_message = ?, updated_at = ?
WHERE t_id = ? AND lease_id = ? AND status = 'INPROGRESS'
RETURNING {columns}

-- name: update
UPDATE tasks SET t_type = ?, payload = ?, status = ?, attempts = ?, max_retries = ?,
    created_at = ?, updated_at = ?, started_at = ?, finished_at = ?, next_run_at = ?,
    last_error = ?, result = ?, cancel_requested = ?, lease_id = ?, lease_expires_at = ?,
    priority = ?, timeout_seconds = ?, idempotency_key = ?, progress = ?, progress_message = ?,
    run_at = ?
WHERE t_id = ?

-- name: select
SELECT {columns} FROM tasks

-- name: get
SELECT {columns} FROM tasks WHERE t_id = ?

-- name: claim
-- Highest priority first, FIFO (run_at, then id) within a priority: the order of tasks_ready.
-- Paused types are skipped, and nothing is taken while the whole queue (name '') is paused; both
-- subqueries are evaluated once per claim, so the claim still walks tasks_ready in order.
SELECT {columns} FROM tasks INDEXED BY tasks_ready
WHERE status = 'QUEUED' AND (next_run_at IS NULL OR next_run_at <= ?)
    AND t_type NOT IN (SELECT name FROM pauses)
    AND NOT EXISTS (SELECT 1 FROM pauses WHERE name = '')
ORDER BY priority DESC, run_at, t_id LIMIT ?

-- name: expired
SELECT {columns} FROM tasks INDEXED BY tasks_lease
WHERE status = 'INPROGRESS' AND lease_expires_at < ?

-- name: next_due
-- What a claim could take next: paused types (or a paused queue) wake nobody.
SELECT next_run_at FROM tasks INDEXED BY tasks_retry
WHERE status = 'QUEUED' AND next_run_at IS NOT NULL
    AND t_type NOT IN (SELECT name FROM pauses)
    AND NOT EXISTS (SELECT 1 FROM pauses WHERE name = '')
ORDER BY next_run_at LIMIT 1

-- name: renew
UPDATE tasks SET lease_expires_at = ?
WHERE t_id = ? AND lease_id = ? AND status = 'INPROGRESS'
RETURNING cancel_requested

-- name: delete
DELETE FROM tasks WHERE t_id = ?

-- name: forget_counts
DELETE FROM task_counts

-- name: counts
SELECT status, t_type, n FROM task_counts WHERE n > 0

-- name: throughput
SELECT minute, completed, failed FROM task_minutes WHERE minute >= ? ORDER BY minute

-- name: trim_minutes
DELETE FROM task_minutes WHERE minute < ?

-- name: changed_since
SELECT {columns} FROM tasks WHERE updated_at >= ? ORDER BY updated_at LIMIT ?

-- name: report_workers
INSERT OR REPLACE INTO pyqueue_workers (process_id, busy, total, seen_at) VALUES (?, ?, ?, ?)

-- name: forget_workers
DELETE FROM pyqueue_workers WHERE process_id = ?

-- name: worker_totals
SELECT count(*), coalesce(sum(busy), 0), coalesce(sum(total), 0) FROM pyqueue_workers
WHERE seen_at >= ? AND process_id <> ?

-- name: purge
-- Retention: one batch of the oldest finished tasks of one status (the caller repeats).
DELETE FROM tasks WHERE t_id IN (
    SELECT t_id FROM tasks INDEXED BY tasks_finished
    WHERE status = ? AND finished_at IS NOT NULL AND finished_at < ?
    ORDER BY finished_at LIMIT ?
)
RETURNING t_id

-- name: failure_groups
-- A group is a type and the first line of the error (pyqueue.models.failures.error_group).
SELECT error, t_type, count(*) AS n, max(coalesce(finished_at, updated_at)) AS latest FROM (
    SELECT CASE WHEN instr(last_error, char(10)) > 0
                THEN substr(last_error, 1, instr(last_error, char(10)) - 1)
                ELSE last_error END AS error,
           t_type, finished_at, updated_at
    FROM tasks INDEXED BY tasks_status WHERE status = 'FAILED'
)
GROUP BY error, t_type
ORDER BY n DESC, latest DESC
LIMIT ?

-- name: failed_of_type
SELECT {columns} FROM tasks INDEXED BY tasks_status_type
WHERE status = 'FAILED' AND t_type = ? ORDER BY t_id

-- name: open_attempt
INSERT INTO attempts (task_id, number, started_at, worker) VALUES (?, ?, ?, ?)

-- name: close_attempt
UPDATE attempts SET finished_at = ?, outcome = ?, error = ?, traceback = ?
WHERE task_id = ? AND finished_at IS NULL

-- name: lease_holders
-- The leases of the INPROGRESS tasks among some ids (record_ends appends the list of ids).
SELECT t_id, lease_id, t_type FROM tasks WHERE status = 'INPROGRESS' AND t_id IN

-- name: record_end
-- One attempt's end, fenced by its lease, without reading the task: mirrors Task.finished (the
-- contract suite holds it equal to finish_many), setting only the columns an end changes.
UPDATE tasks SET status = ?, attempts = attempts - ?, updated_at = ?, finished_at = ?,
    next_run_at = ?, last_error = coalesce(?, last_error), result = ?, cancel_requested = 0,
    lease_id = NULL, lease_expires_at = NULL, run_at = ?
WHERE t_id = ? AND lease_id = ? AND status = 'INPROGRESS'

-- name: attempts
SELECT task_id, number, started_at, finished_at, worker, outcome, error, traceback
FROM attempts WHERE task_id = ? ORDER BY id

-- name: pause
INSERT INTO pauses (name, paused_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING

-- name: resume
DELETE FROM pauses WHERE name = ?

-- name: pauses
SELECT name, paused_at FROM pauses ORDER BY name

-- name: count_down
-- The counts a batch of status changes leaves (SQLiteStore's _count_moves): n, status, type.
UPDATE task_counts SET n = n - ? WHERE status = ? AND t_type = ?

-- name: count_up
INSERT INTO task_counts (status, t_type, n) VALUES (?, ?, ?)
    ON CONFLICT (status, t_type) DO UPDATE SET n = n + excluded.n

-- name: minute_down
-- A minute's finished tasks that moved on (requeued): never below zero, never brought back.
UPDATE task_minutes SET completed = max(0, completed - ?), failed = max(0, failed - ?)
WHERE minute = ?

-- name: minute_up
INSERT INTO task_minutes (minute, completed, failed) VALUES (?, ?, ?)
    ON CONFLICT (minute) DO UPDATE SET
        completed = completed + excluded.completed, failed = failed + excluded.failed
