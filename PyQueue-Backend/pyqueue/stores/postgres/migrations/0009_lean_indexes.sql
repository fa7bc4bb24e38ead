-- One index fewer written by every insert and every transition of a task (measured: a batch of
-- 500 enqueued 3.6 µs a task sooner). A page of one type now merges one walk of
-- pyqueue_tasks_status_type per status (store.page_sql), and a clear of one type names every
-- status, so that index serves both.
DROP INDEX IF EXISTS pyqueue_tasks_type;
