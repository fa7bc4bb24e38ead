-- The PostgreSQL store's statements, by name (`-- name: x`); `{columns}` is the task column list.
-- Claim and finish are single statements (one round trip each); they mirror Task.claimed and
-- Task.finished, which the SQLite and memory stores call, and the contract suite holds them equal.

-- name: column_types
-- The columns of pyqueue_tasks and their types, from which the store builds its bulk insert.
SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'pyqueue_tasks'::regclass AND attnum > 0 AND NOT attisdropped

-- name: on_key_conflict
-- Appended to the bulk insert when a task in it has an idempotency key: nothing is inserted for a key
-- that a task has (committed, or committed by a racing transaction this one waited for).
ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING t_id

-- name: get_by_keys
SELECT {columns} FROM pyqueue_tasks WHERE idempotency_key = ANY(%(keys)s::text[])

-- name: set_progress
-- Fenced: only the attempt holding the lease reports progress.
UPDATE pyqueue_tasks SET progress = %(progress)s, progress_message = %(message)s,
    updated_at = %(now)s
WHERE t_id = %(t_id)s AND lease_id = %(lease_id)s AND status = 'INPROGRESS'
RETURNING {columns}

-- name: update
UPDATE pyqueue_tasks SET t_type = %s, payload = %s, status = %s, attempts = %s, max_retries = %s,
    created_at = %s, updated_at = %s, started_at = %s, finished_at = %s, next_run_at = %s,
    last_error = %s, result = %s, cancel_requested = %s, lease_id = %s, lease_expires_at = %s,
    priority = %s, timeout_seconds = %s, idempotency_key = %s, progress = %s,
    progress_message = %s, run_at = %s
WHERE t_id = %s

-- name: claim
-- A QUEUED task's run_at is when it becomes due (its retry or scheduled time, else its last
-- transition). Highest priority first, FIFO (run_at, then id) within a priority: the order of the
-- partial index pyqueue_tasks_ready (priority DESC, run_at, t_id) WHERE status = 'QUEUED', so the
-- planner walks it in order, skips what is not due yet and stops after the limit.
-- It returns each task's run_at before the claim too, so the store hands them out in claim order.
-- Paused types are skipped and nothing is taken while the whole queue (name '') is paused: both
-- are one-time subplans on the tiny pauses table, so the walk of the index is unchanged. The same
-- statement opens each claimed task's attempt (so the history never disagrees with the task).
WITH picked AS (
    SELECT t_id AS picked_id, run_at AS picked_run_at FROM pyqueue_tasks
    WHERE status = 'QUEUED' AND run_at <= %(now)s
        AND t_type <> ALL (ARRAY(SELECT name FROM pyqueue_pauses))
        AND NOT EXISTS (SELECT FROM pyqueue_pauses WHERE name = '')
    ORDER BY priority DESC, run_at, t_id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
), claimed AS (
UPDATE pyqueue_tasks AS t
SET status = 'INPROGRESS', attempts = t.attempts + 1, started_at = %(now)s, updated_at = %(now)s,
    next_run_at = NULL, lease_id = replace(gen_random_uuid()::text, '-', ''),
    lease_expires_at = %(expires)s, progress = NULL, progress_message = NULL
FROM picked
WHERE t.t_id = picked.picked_id AND t.status = 'QUEUED'
RETURNING {columns}, picked.picked_run_at
), opened AS (
    INSERT INTO pyqueue_attempts (task_id, number, started_at, worker)
    SELECT t_id, attempts, started_at, %(worker)s FROM claimed
)
SELECT * FROM claimed

-- name: finish_batch
-- Every end of a batch in one statement, so the count triggers run once per batch, not once per
-- task. It returns each ended task ({returned}: every column); record_ends runs the same statement
-- returning only the id and status, read by nobody but its count. Each end is fenced by its lease; the rows are locked in id order, as renew locks them, so
-- concurrent batches never deadlock. Mirrors Task.finished, row by row (the contract suite holds
-- the stores equal).
WITH ends AS (
    SELECT * FROM unnest(
        %(t_id)s::text[], %(lease_id)s::text[], %(status)s::text[], %(refund)s::int[],
        %(finished_at)s::timestamptz[], %(next_run_at)s::timestamptz[], %(run_at)s::timestamptz[],
        %(error)s::text[], %(result)s::text[], %(outcome)s::text[], %(traceback)s::text[]
    ) AS e (t_id, lease_id, status, refund, finished_at, next_run_at, run_at, error, result,
            outcome, traceback)
), mine AS (
    -- By id (the primary key), not by status: the status is checked as the row is updated.
    -- Under a drain the statistics say few tasks are INPROGRESS, and a condition on the status
    -- here made the planner read every INPROGRESS entry of pyqueue_tasks_status, thousands of them
    -- dead (claimed and ended since the last vacuum), 2 ms of an end of 134 tasks.
    SELECT t.t_id FROM pyqueue_tasks AS t JOIN ends AS e ON t.t_id = e.t_id
    WHERE t.lease_id = e.lease_id
    ORDER BY t.t_id
    FOR UPDATE OF t
), done AS (
    UPDATE pyqueue_tasks AS t
    SET status = e.status, attempts = t.attempts - e.refund, updated_at = %(now)s,
        finished_at = e.finished_at, next_run_at = e.next_run_at, run_at = e.run_at,
        last_error = coalesce(e.error, t.last_error), result = e.result::json,
        cancel_requested = false, lease_id = NULL, lease_expires_at = NULL
    FROM mine JOIN ends AS e ON e.t_id = mine.t_id
    WHERE t.t_id = mine.t_id AND t.status = 'INPROGRESS'
    RETURNING {returned}
), closed AS (
    UPDATE pyqueue_attempts AS a
    SET finished_at = %(now)s, outcome = e.outcome, error = e.error, traceback = e.traceback
    FROM done JOIN ends AS e ON e.t_id = done.t_id
    WHERE a.task_id = done.t_id AND a.finished_at IS NULL
)
-- One NOTIFY when an end put a task back in the queue (a retry), so other processes claim it.
SELECT *, (SELECT pg_notify(%(channel)s, 'work') WHERE EXISTS (
    SELECT FROM done WHERE status = 'QUEUED'
)) FROM done

-- name: renew
-- Rows are locked in id order, as finish_many takes them, so the two never deadlock.
WITH mine AS (
    SELECT t.t_id FROM pyqueue_tasks AS t
    JOIN unnest(%(ids)s::text[], %(leases)s::text[]) AS l (t_id, lease_id)
        ON t.t_id = l.t_id AND t.lease_id = l.lease_id
    WHERE t.status = 'INPROGRESS'
    ORDER BY t.t_id
    FOR UPDATE OF t
)
UPDATE pyqueue_tasks AS t SET lease_expires_at = %(expires)s
FROM mine
WHERE t.t_id = mine.t_id
RETURNING t.t_id, t.cancel_requested

-- name: expired
SELECT {columns} FROM pyqueue_tasks
WHERE status = 'INPROGRESS' AND lease_expires_at < %(now)s
ORDER BY t_id LIMIT 1000
FOR UPDATE SKIP LOCKED

-- name: select
SELECT {columns} FROM pyqueue_tasks

-- name: get
SELECT {columns} FROM pyqueue_tasks WHERE t_id = %(t_id)s

-- name: get_for_update
SELECT {columns} FROM pyqueue_tasks WHERE t_id = %(t_id)s FOR UPDATE

-- name: failed_for_update
SELECT {columns} FROM pyqueue_tasks
WHERE status = 'FAILED' AND (%(t_type)s::text IS NULL OR t_type = %(t_type)s)
ORDER BY t_id
FOR UPDATE

-- name: delete
DELETE FROM pyqueue_tasks WHERE t_id = %(t_id)s RETURNING {columns}

-- name: counts
SELECT status, t_type, n FROM pyqueue_counts WHERE n > 0

-- name: throughput
SELECT minute, completed, failed FROM pyqueue_minutes
WHERE minute >= date_trunc('minute', %(since)s::timestamptz)
ORDER BY minute

-- name: trim_minutes
DELETE FROM pyqueue_minutes WHERE minute < %(before)s

-- name: changed_since
SELECT {columns} FROM pyqueue_tasks
WHERE updated_at >= %(since)s
ORDER BY updated_at
LIMIT %(limit)s

-- name: report_workers
INSERT INTO pyqueue_workers (process_id, busy, total, seen_at)
VALUES (%(process_id)s, %(busy)s, %(total)s, %(seen_at)s)
ON CONFLICT (process_id) DO UPDATE
SET busy = excluded.busy, total = excluded.total, seen_at = excluded.seen_at

-- name: forget_workers
DELETE FROM pyqueue_workers WHERE process_id = %(process_id)s

-- name: worker_totals
SELECT count(*), coalesce(sum(busy), 0), coalesce(sum(total), 0) FROM pyqueue_workers
WHERE seen_at >= %(fresh_since)s AND process_id <> %(exclude)s

-- name: next_due
-- What a claim could take next: paused types (or a paused queue) wake nobody.
SELECT min(next_run_at) FROM pyqueue_tasks
WHERE status = 'QUEUED' AND next_run_at IS NOT NULL
    AND t_type <> ALL (ARRAY(SELECT name FROM pyqueue_pauses))
    AND NOT EXISTS (SELECT FROM pyqueue_pauses WHERE name = '')

-- name: notify
SELECT pg_notify(%(channel)s, %(what)s)

-- name: purge
-- Retention: one batch of the oldest finished tasks of one status (the caller repeats). Rows
-- another transaction holds are skipped, so a purge never waits for (or holds up) anyone.
DELETE FROM pyqueue_tasks WHERE t_id IN (
    SELECT t_id FROM pyqueue_tasks
    WHERE status = %(status)s AND finished_at IS NOT NULL AND finished_at < %(before)s
    ORDER BY finished_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING t_id

-- name: failure_groups
-- A group is a type and the first line of the error (pyqueue.models.failures.error_group).
SELECT split_part(last_error, E'\n', 1) AS error, t_type, count(*) AS n,
       max(coalesce(finished_at, updated_at)) AS latest
FROM pyqueue_tasks
WHERE status = 'FAILED'
GROUP BY 1, 2
ORDER BY n DESC, latest DESC
LIMIT %(limit)s

-- name: failed_group_for_update
SELECT {columns} FROM pyqueue_tasks
WHERE status = 'FAILED' AND t_type = %(t_type)s
    AND split_part(last_error, E'\n', 1) IS NOT DISTINCT FROM %(error)s::text
ORDER BY t_id
FOR UPDATE

-- name: close_attempt
UPDATE pyqueue_attempts
SET finished_at = %(now)s, outcome = %(outcome)s, error = %(error)s, traceback = NULL
WHERE task_id = %(t_id)s AND finished_at IS NULL

-- name: attempts
SELECT task_id, number, started_at, finished_at, worker, outcome, error, traceback
FROM pyqueue_attempts WHERE task_id = %(t_id)s ORDER BY id

-- name: pause
INSERT INTO pyqueue_pauses (name, paused_at) VALUES (%(name)s, %(now)s)
ON CONFLICT (name) DO NOTHING

-- name: resume
DELETE FROM pyqueue_pauses WHERE name = %(name)s

-- name: pauses
SELECT name, paused_at FROM pyqueue_pauses ORDER BY name
