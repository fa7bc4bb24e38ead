-- Control: a per-task execution timeout, an idempotency key (unique while its task exists; enqueue
-- inserts with ON CONFLICT DO NOTHING, then reads the task that has the key, so two processes
-- racing one key create one task) and the progress the running attempt reports.
ALTER TABLE pyqueue_tasks
    ADD COLUMN timeout_seconds double precision,
    ADD COLUMN idempotency_key text,
    ADD COLUMN progress double precision,
    ADD COLUMN progress_message text;
CREATE UNIQUE INDEX pyqueue_tasks_idempotency ON pyqueue_tasks (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
