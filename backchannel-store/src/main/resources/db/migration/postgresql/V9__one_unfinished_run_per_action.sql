-- At most one unfinished (pending or running) execution of an action on a task, so that a second
-- start is refused even when two arrive at once on different nodes. Duplicates left by earlier
-- versions are failed first, all but the oldest; their tasks were never changed by them. The
-- SQLite migration is the same.
UPDATE executions
SET status = 'FAILED',
    reason = 'refused: the same action was already running on this task; the task was not changed'
WHERE status IN ('PENDING', 'RUNNING')
  AND EXISTS (
    SELECT 1 FROM executions o
    WHERE o.task_id = executions.task_id
      AND o.action_id = executions.action_id
      AND o.status IN ('PENDING', 'RUNNING')
      AND o.id < executions.id);

CREATE UNIQUE INDEX executions_one_unfinished ON executions (task_id, action_id)
  WHERE status IN ('PENDING', 'RUNNING');
