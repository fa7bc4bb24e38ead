-- The PostgreSQL store's statements about schedules, by name (`-- name: x`);
-- `{schedule_columns}` is the schedule column list.

-- name: insert
INSERT INTO pyqueue_schedules ({schedule_columns})
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)

-- name: insert_if_absent
INSERT INTO pyqueue_schedules ({schedule_columns})
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (id) DO NOTHING

-- name: get
SELECT {schedule_columns} FROM pyqueue_schedules WHERE id = %s

-- name: get_for_update
SELECT {schedule_columns} FROM pyqueue_schedules WHERE id = %s FOR UPDATE

-- name: list
SELECT {schedule_columns} FROM pyqueue_schedules ORDER BY created_at, id

-- name: save
UPDATE pyqueue_schedules SET payload = %s, cron = %s, timezone = %s, paused = %s,
    next_run_at = %s, last_run_at = %s, updated_at = %s
WHERE id = %s

-- name: delete
DELETE FROM pyqueue_schedules WHERE id = %s RETURNING {schedule_columns}

-- name: due
SELECT {schedule_columns} FROM pyqueue_schedules
WHERE NOT paused AND next_run_at <= %s
ORDER BY next_run_at, id LIMIT %s

-- name: next
SELECT min(next_run_at) FROM pyqueue_schedules WHERE NOT paused

-- name: advance
-- The compare-and-swap that decides which process fires a tick. Under READ COMMITTED a second
-- updater waits for the first one's row lock, then re-checks the WHERE clause against the new
-- row: next_run_at has moved on, so it updates nothing.
UPDATE pyqueue_schedules SET next_run_at = %s, last_run_at = %s, updated_at = %s
WHERE id = %s AND NOT paused AND next_run_at = %s

-- name: task_exists
SELECT 1 FROM pyqueue_tasks WHERE t_id = %s
