-- The PostgreSQL store's operations statements (audit log, readiness, metrics), by name.

-- name: audit_insert
INSERT INTO pyqueue_audit (at, role, client, action, target, count)
VALUES (%(at)s, %(role)s, %(client)s, %(action)s, %(target)s, %(count)s)
RETURNING id

-- name: audit_page
SELECT id, at, role, client, action, target, count FROM pyqueue_audit
ORDER BY id DESC LIMIT %(limit)s OFFSET %(offset)s

-- name: audit_count
SELECT count(*) FROM pyqueue_audit

-- name: oldest_queued
-- One seek of pyqueue_tasks_queued_type per type that has QUEUED tasks (from pyqueue_counts).
SELECT c.t_type, (SELECT min(t.run_at) FROM pyqueue_tasks AS t
                  WHERE t.status = 'QUEUED' AND t.t_type = c.t_type)
FROM pyqueue_counts AS c
WHERE c.status = 'QUEUED' AND c.n > 0

-- name: probe
INSERT INTO pyqueue_readiness (id, checked_at) VALUES (1, %(now)s)
ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at
