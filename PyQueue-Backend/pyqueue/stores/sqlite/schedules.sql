-- The SQLite store's statements about schedules, by name (`-- name: x`); `{schedule_columns}` is
-- the schedule column list. Times are integer microseconds since the Unix epoch (UTC).

-- name: insert
INSERT INTO schedules ({schedule_columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: get
SELECT {schedule_columns} FROM schedules WHERE id = ?

-- name: list
SELECT {schedule_columns} FROM schedules ORDER BY created_at, id

-- name: save
UPDATE schedules SET payload = ?, cron = ?, timezone = ?, paused = ?, next_run_at = ?,
    last_run_at = ?, updated_at = ?
WHERE id = ?

-- name: delete
DELETE FROM schedules WHERE id = ?

-- name: due
SELECT {schedule_columns} FROM schedules INDEXED BY schedules_due
WHERE paused = 0 AND next_run_at <= ?
ORDER BY next_run_at, id LIMIT ?

-- name: next
SELECT MIN(next_run_at) FROM schedules INDEXED BY schedules_due WHERE paused = 0

-- name: advance
-- The compare-and-swap that decides which process fires a tick: only one UPDATE finds the value
-- it read.
UPDATE schedules SET next_run_at = ?, last_run_at = ?, updated_at = ?
WHERE id = ? AND paused = 0 AND next_run_at = ?

-- name: task_exists
SELECT 1 FROM tasks WHERE t_id = ?
