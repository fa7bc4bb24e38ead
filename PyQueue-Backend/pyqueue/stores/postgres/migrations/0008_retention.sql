-- Retention: purges find finished tasks by status and finish time, oldest first, in small batches.
CREATE INDEX pyqueue_tasks_finished ON pyqueue_tasks (status, finished_at)
    WHERE finished_at IS NOT NULL;

-- The chart (pyqueue_minutes) counts the stored COMPLETED and FAILED tasks by the minute they
-- finished, as pyqueue_counts counts stored tasks: a task that is deleted, cleared, purged or
-- retried by hand leaves its minute. A minute already trimmed stays gone (no negative rows, no
-- count below zero), and minute rows are touched in minute order, so concurrent statements never
-- deadlock on them.

CREATE OR REPLACE FUNCTION pyqueue_tasks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pyqueue_counts AS c (status, t_type, n)
    SELECT status, t_type, -count(*) FROM old_rows GROUP BY status, t_type ORDER BY status, t_type
    ON CONFLICT (status, t_type) DO UPDATE SET n = c.n + excluded.n;

    PERFORM 1 FROM pyqueue_minutes
    WHERE minute IN (
        SELECT date_trunc('minute', finished_at) FROM old_rows
        WHERE status IN ('COMPLETED', 'FAILED') AND finished_at IS NOT NULL
    )
    ORDER BY minute FOR UPDATE;  -- in minute order, as the update trigger takes them

    UPDATE pyqueue_minutes AS m
    SET completed = greatest(0, m.completed - gone.c), failed = greatest(0, m.failed - gone.f)
    FROM (
        SELECT date_trunc('minute', finished_at) AS minute,
               count(*) FILTER (WHERE status = 'COMPLETED') AS c,
               count(*) FILTER (WHERE status = 'FAILED') AS f
        FROM old_rows
        WHERE status IN ('COMPLETED', 'FAILED') AND finished_at IS NOT NULL
        GROUP BY 1
    ) AS gone
    WHERE m.minute = gone.minute;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION pyqueue_tasks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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
    SELECT d.minute, d.c, d.f FROM (
        SELECT minute, sum(c) AS c, sum(f) AS f FROM (
            SELECT date_trunc('minute', n.finished_at) AS minute,
                   (n.status = 'COMPLETED')::int AS c, (n.status = 'FAILED')::int AS f
            FROM new_rows n JOIN old_rows o ON n.t_id = o.t_id
            WHERE n.status <> o.status AND n.status IN ('COMPLETED', 'FAILED')
                AND n.finished_at IS NOT NULL
            UNION ALL
            SELECT date_trunc('minute', o.finished_at),
                   -(o.status = 'COMPLETED')::int, -(o.status = 'FAILED')::int
            FROM old_rows o JOIN new_rows n ON n.t_id = o.t_id
            WHERE n.status <> o.status AND o.status IN ('COMPLETED', 'FAILED')
                AND o.finished_at IS NOT NULL
        ) AS moves
        GROUP BY minute
        HAVING sum(c) <> 0 OR sum(f) <> 0
    ) AS d
    WHERE (d.c >= 0 AND d.f >= 0)
        OR EXISTS (SELECT 1 FROM pyqueue_minutes x WHERE x.minute = d.minute)
    ORDER BY d.minute
    ON CONFLICT (minute) DO UPDATE
        SET completed = greatest(0, m.completed + excluded.completed),
            failed = greatest(0, m.failed + excluded.failed);
    RETURN NULL;
END $$;
