-- Periodic tasks. A schedule fires when next_run_at is due: the process whose UPDATE still finds
-- the next_run_at it read (compare-and-swap; concurrent updaters wait for the row lock, then find
-- it changed) adds the tick's task in the same transaction. source is 'api' or 'code'.
CREATE TABLE pyqueue_schedules (
    id          text PRIMARY KEY,
    t_type      text NOT NULL,
    payload     json NOT NULL,
    cron        text NOT NULL,
    timezone    text NOT NULL,
    paused      boolean NOT NULL DEFAULT false,
    next_run_at timestamptz NOT NULL,
    last_run_at timestamptz,
    source      text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX pyqueue_schedules_due ON pyqueue_schedules (next_run_at) WHERE NOT paused;
