-- PyQueue's PostgreSQL schema, version 1. Applied by pyqueue.stores.postgres in one transaction.
-- `run_at` is when a QUEUED task became eligible (its retry time, else its last transition):
-- claims take the smallest first. Counts per (status, type) and completions per minute live in
-- small tables kept by statement-level triggers, so page totals never scan the tasks.
CREATE TABLE pyqueue_tasks (
    t_id             text PRIMARY KEY,
    t_type           text NOT NULL,
    payload          json NOT NULL,
    status           text NOT NULL
        CHECK (status IN ('QUEUED', 'INPROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED')),
    attempts         integer NOT NULL,
    max_retries      integer NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    next_run_at      timestamptz,
    last_error       text,
    result           json,
    cancel_requested boolean NOT NULL DEFAULT false,
    lease_id         text,
    lease_expires_at timestamptz,
    run_at           timestamptz NOT NULL
);

CREATE INDEX pyqueue_tasks_claim ON pyqueue_tasks (run_at) WHERE status = 'QUEUED';
CREATE INDEX pyqueue_tasks_retry ON pyqueue_tasks (next_run_at)
    WHERE status = 'QUEUED' AND next_run_at IS NOT NULL;
CREATE INDEX pyqueue_tasks_lease ON pyqueue_tasks (lease_expires_at) WHERE status = 'INPROGRESS';
CREATE INDEX pyqueue_tasks_status ON pyqueue_tasks (status, t_id);
CREATE INDEX pyqueue_tasks_type ON pyqueue_tasks (t_type, t_id);
CREATE INDEX pyqueue_tasks_status_type ON pyqueue_tasks (status, t_type, t_id);
-- The change feed that relays other processes' changes to each API's event stream.
CREATE INDEX pyqueue_tasks_updated ON pyqueue_tasks (updated_at);

CREATE TABLE pyqueue_counts (
    status text NOT NULL,
    t_type text NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (status, t_type)
);

CREATE TABLE pyqueue_minutes (
    minute    timestamptz PRIMARY KEY,
    completed bigint NOT NULL DEFAULT 0,
    failed    bigint NOT NULL DEFAULT 0
);

-- Each trigger touches count rows in (status, type) order, so concurrent statements never
-- deadlock on them.

CREATE FUNCTION pyqueue_tasks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pyqueue_counts AS c (status, t_type, n)
    SELECT status, t_type, count(*) FROM new_rows GROUP BY status, t_type ORDER BY status, t_type
    ON CONFLICT (status, t_type) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION pyqueue_tasks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pyqueue_counts AS c (status, t_type, n)
    SELECT status, t_type, -count(*) FROM old_rows GROUP BY status, t_type ORDER BY status, t_type
    ON CONFLICT (status, t_type) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION pyqueue_tasks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pyqueue_counts AS c (status, t_type, n)
    SELECT status, t_type, sum(d) FROM (
        SELECT o.status, o.t_type, -1 AS d FROM old_rows o
            JOIN new_rows n ON n.t_id = o.t_id WHERE n.status <> o.status
        UNION ALL
        SELECT n.status, n.t_type, 1 FROM new_rows n
            JOIN old_rows o ON n.t_id = o.t_id WHERE n.status <> o.status
    ) AS changes
    GROUP BY status, t_type ORDER BY status, t_type
    ON CONFLICT (status, t_type) DO UPDATE SET n = c.n + excluded.n;

    INSERT INTO pyqueue_minutes AS m (minute, completed, failed)
    SELECT date_trunc('minute', n.finished_at),
           count(*) FILTER (WHERE n.status = 'COMPLETED'),
           count(*) FILTER (WHERE n.status = 'FAILED')
    FROM new_rows n JOIN old_rows o ON n.t_id = o.t_id
    WHERE n.status <> o.status AND n.status IN ('COMPLETED', 'FAILED')
        AND n.finished_at IS NOT NULL
    GROUP BY 1 ORDER BY 1
    ON CONFLICT (minute) DO UPDATE
        SET completed = m.completed + excluded.completed, failed = m.failed + excluded.failed;
    RETURN NULL;
END $$;

CREATE TRIGGER pyqueue_tasks_inserted AFTER INSERT ON pyqueue_tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION pyqueue_tasks_inserted();
CREATE TRIGGER pyqueue_tasks_deleted AFTER DELETE ON pyqueue_tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION pyqueue_tasks_deleted();
CREATE TRIGGER pyqueue_tasks_updated AFTER UPDATE ON pyqueue_tasks
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pyqueue_tasks_updated();
