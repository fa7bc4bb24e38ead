-- The SQLite store's operations statements (audit log, readiness, metrics), by name.

-- name: audit_insert
INSERT INTO audit_log (at, role, client, action, target, count) VALUES (?, ?, ?, ?, ?, ?)

-- name: audit_page
SELECT id, at, role, client, action, target, count FROM audit_log
ORDER BY id DESC LIMIT ? OFFSET ?

-- name: audit_count
SELECT count(*) FROM audit_log

-- name: queued_types
SELECT t_type FROM task_counts WHERE status = 'QUEUED' AND n > 0

-- name: oldest_queued
-- One seek of tasks_queued_type per type.
SELECT min(run_at) FROM tasks WHERE status = 'QUEUED' AND t_type = ?

-- name: probe
INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?)
ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at
