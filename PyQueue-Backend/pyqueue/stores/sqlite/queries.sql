-- The SQLite store's statements, by name (`-- name: x`); `{columns}` is the task column list.
-- Timestamps are integer microseconds since the Unix epoch. The hot queries name their index:
-- SQLite's planner guesses badly on a young, unanalysed file. Filtered pages and counts are built
-- from these pieces in Python (their WHERE clause depends on the filters given).

-- name: insert
INSERT INTO tasks ({columns}, run_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: update
UPDATE tasks SET t_type = ?, payload = ?, status = ?, attempts = ?, max_retries = ?,
    created_at = ?, updated_at = ?, started_at = ?, finished_at = ?, next_run_at = ?,
    last_error = ?, result = ?, cancel_requested = ?, lease_id = ?, lease_expires_at = ?,
    priority = ?, run_at = ?
WHERE t_id = ?

-- name: select
SELECT {columns} FROM tasks

-- name: get
SELECT {columns} FROM tasks WHERE t_id = ?

-- name: claim
-- Highest priority first, FIFO (run_at, then id) within a priority: the order of tasks_ready.
SELECT {columns} FROM tasks INDEXED BY tasks_ready
WHERE status = 'QUEUED' AND (next_run_at IS NULL OR next_run_at <= ?)
ORDER BY priority DESC, run_at, t_id LIMIT ?

-- name: expired
SELECT {columns} FROM tasks INDEXED BY tasks_lease
WHERE status = 'INPROGRESS' AND lease_expires_at < ?

-- name: next_due
SELECT MIN(next_run_at) FROM tasks INDEXED BY tasks_retry
WHERE status = 'QUEUED' AND next_run_at IS NOT NULL

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
