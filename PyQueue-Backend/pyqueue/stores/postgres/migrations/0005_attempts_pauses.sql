-- Attempt history: one row per attempt, opened by the claim statement and closed by the one that
-- records its end (or by the lease recovery's transaction), so it never disagrees with the task.
-- outcome: RUNNING until it ends (pyqueue.models.control.AttemptOutcome).
CREATE TABLE pyqueue_attempts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id     text NOT NULL,
    number      integer NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    worker      text NOT NULL,
    outcome     text NOT NULL DEFAULT 'RUNNING',
    error       text,
    traceback   text
);
CREATE INDEX pyqueue_attempts_task ON pyqueue_attempts (task_id, id);

-- Deleting a task (delete, clear, retention) deletes its attempts: a row trigger, so each delete
-- is an index lookup whatever the planner knows (no foreign key: the claim stays cheap).
CREATE FUNCTION pyqueue_tasks_forget_attempts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM pyqueue_attempts WHERE task_id = OLD.t_id;
    RETURN NULL;
END $$;
CREATE TRIGGER pyqueue_tasks_forget_attempts AFTER DELETE ON pyqueue_tasks
    FOR EACH ROW EXECUTE FUNCTION pyqueue_tasks_forget_attempts();

-- Pauses: a paused task type, or the whole queue (name ''), is skipped by every claim.
CREATE TABLE pyqueue_pauses (
    name      text PRIMARY KEY,
    paused_at timestamptz NOT NULL
);
