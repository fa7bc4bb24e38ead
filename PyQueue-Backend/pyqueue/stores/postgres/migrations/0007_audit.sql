-- Operations: the audit log of changes made through the API (newest first by id), the readiness
-- probe's one-row table (GET /api/ready writes it; it never holds a task), and an index that
-- gives the metrics the oldest QUEUED task of each type in one seek.
CREATE TABLE pyqueue_audit (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz NOT NULL,
    role   text NOT NULL,
    client text NOT NULL,
    action text NOT NULL,
    target text NOT NULL,
    count  integer NOT NULL
);
CREATE TABLE pyqueue_readiness (
    id         smallint PRIMARY KEY CHECK (id = 1),
    checked_at timestamptz NOT NULL
);
CREATE INDEX pyqueue_tasks_queued_type ON pyqueue_tasks (t_type, run_at) WHERE status = 'QUEUED';
