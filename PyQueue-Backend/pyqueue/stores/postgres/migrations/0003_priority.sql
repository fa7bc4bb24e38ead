-- Priorities: higher first, FIFO (run_at, then id) within a priority. The claim walks one partial
-- index in exactly its ORDER BY, so it stops after the limit without a sort; it replaces the
-- run_at-only claim index.
ALTER TABLE pyqueue_tasks ADD COLUMN priority smallint NOT NULL DEFAULT 0;
CREATE INDEX pyqueue_tasks_ready ON pyqueue_tasks (priority DESC, run_at, t_id)
    WHERE status = 'QUEUED';
DROP INDEX pyqueue_tasks_claim;
