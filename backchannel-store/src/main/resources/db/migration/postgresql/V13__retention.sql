-- Retention: finished deliveries, with their bodies and attempts, are removed once they have been
-- finished for longer than their workspace's retention. What stays of them is counted per
-- workspace, app and hour in delivery_counts, so the dashboard's chart does not change. The
-- SQLite migration is the same.

-- NULL: the server's `retention` setting; otherwise this workspace's, in milliseconds.
ALTER TABLE workspaces ADD COLUMN retention_ms BIGINT;

-- Finished deliveries of a workspace by the time they finished (updated_at, which nothing changes
-- once a delivery is finished, unless a replay puts it back in the queue). Partial: rows in the
-- queue are not in it, so claiming and settling pay nothing for it until a delivery finishes.
CREATE INDEX deliveries_finished ON deliveries (workspace_id, updated_at)
  WHERE state IN ('SUCCEEDED', 'FAILED');

-- Purged deliveries, counted by the hour they were created in (epoch milliseconds of its start).
-- Written by the purge in the transaction that deletes them, so a delivery is counted either here
-- or in deliveries, never both.
CREATE TABLE delivery_counts (
  workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
  app_id       BIGINT NOT NULL REFERENCES apps (id),
  hour         BIGINT NOT NULL,
  succeeded    BIGINT NOT NULL,
  failed       BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, hour, app_id)
);

-- Background jobs that one node at a time runs: the node holding a job's lease runs it.
CREATE TABLE job_leases (
  name        TEXT   PRIMARY KEY,
  owner       TEXT,
  lease_until BIGINT NOT NULL
);
INSERT INTO job_leases (name, owner, lease_until) VALUES ('purge', NULL, 0);
