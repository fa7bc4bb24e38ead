-- Less work for the server per task, where a drain spends it (measured: PostgreSQL's CPU paced the
-- drain once the worker side had been trimmed).

-- The count and chart triggers without joins: each statement's old rows count -1 and its new rows
-- +1 in their (status, type), and a (status, type) whose sum is 0 (no status changed) is left
-- alone; the same for the minutes of COMPLETED and FAILED rows. The old versions joined old_rows
-- to new_rows by id, and the planner, which knows nothing of a transition table's size, ran those
-- joins as nested loops: 3 ms of an end of 134 tasks (EXPLAIN ANALYZE), growing with the batch.
CREATE OR REPLACE FUNCTION pyqueue_tasks_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pyqueue_counts AS c (status, t_type, n)
    SELECT status, t_type, sum(d) FROM (
        SELECT status, t_type, -1 AS d FROM old_rows
        UNION ALL
        SELECT status, t_type, 1 FROM new_rows
    ) AS changes
    GROUP BY status, t_type
    HAVING sum(d) <> 0
    ORDER BY status, t_type
    ON CONFLICT (status, t_type) DO UPDATE SET n = c.n + excluded.n;

    INSERT INTO pyqueue_minutes AS m (minute, completed, failed)
    SELECT d.minute, d.c, d.f FROM (
        SELECT minute, sum(c) AS c, sum(f) AS f FROM (
            SELECT date_trunc('minute', finished_at) AS minute,
                   (status = 'COMPLETED')::int AS c, (status = 'FAILED')::int AS f
            FROM new_rows
            WHERE status IN ('COMPLETED', 'FAILED') AND finished_at IS NOT NULL
            UNION ALL
            SELECT date_trunc('minute', finished_at),
                   -(status = 'COMPLETED')::int, -(status = 'FAILED')::int
            FROM old_rows
            WHERE status IN ('COMPLETED', 'FAILED') AND finished_at IS NOT NULL
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

-- An attempt row is written twice: inserted by the claim, updated by the end, which changes none
-- of its indexed columns. With room left on its page that update is HOT (the new version beside the
-- old, no index entry); with full pages (fillfactor 100) about 9 in 10 were not, and each wrote a
-- new entry into both indexes. New pages are now filled to half.
ALTER TABLE pyqueue_attempts SET (fillfactor = 50);
-- The lease index only served the recovery query, which now walks the INPROGRESS part of
-- pyqueue_tasks_status in id order (as that query orders): INPROGRESS tasks are only those running
-- or waiting in some process. Every claim wrote an entry into it, and every renewal of a lease (a
-- change of an indexed column) could never be HOT.
DROP INDEX IF EXISTS pyqueue_tasks_lease;
