-- People who have left are deactivated, not deleted, so their messages, tasks and deliveries keep
-- their name. NULL means active; otherwise epoch milliseconds of the deactivation. The PostgreSQL
-- migration has the same column.

ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
