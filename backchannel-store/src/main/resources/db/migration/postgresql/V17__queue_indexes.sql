-- The queue's indexes hold only the rows they serve. Before, the due, lease and endpoint indexes
-- held every delivery ever made, state first, so each delivery moved in three of them at each
-- step of its life, and the idempotency index held a row for every delivery without a key. Now:
--   deliveries_due         pending rows, in the order they are claimed;
--   deliveries_sending     rows being sent: each endpoint's in-flight count and the leases;
--   deliveries_unfinished  pending and sending rows per endpoint: FIFO order and backlogs;
--   deliveries_endpoint    every row per endpoint, which changes only when one is written;
--   deliveries_finished    finished rows, for the purge, now with their state for the counts;
--   deliveries_idempotency only rows with a key.
-- A delivery is in three of these while it waits and in two once it has finished, and the queue's
-- indexes stay as small as the queue however long the history. A call a person waits on is in
-- the sending and unfinished indexes only while it is being made, so that one left behind by a
-- crash can be found without reading the history. The SQLite migration is the same.
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at, id) WHERE state = 'PENDING';

DROP INDEX deliveries_lease;
CREATE INDEX deliveries_sending ON deliveries (endpoint_id, state, lease_until)
  WHERE state = 'SENDING';

DROP INDEX deliveries_endpoint;
CREATE INDEX deliveries_unfinished ON deliveries (endpoint_id, id)
  WHERE state IN ('PENDING', 'SENDING');
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);

DROP INDEX deliveries_finished;
CREATE INDEX deliveries_finished ON deliveries (workspace_id, updated_at, state)
  WHERE state IN ('SUCCEEDED', 'FAILED');

DROP INDEX deliveries_idempotency;
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (app_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
