-- Workflows can be changed: every saved definition is a version, kept in workflow_versions;
-- workflows holds the current one (and its number) for reads. Executions record the version they
-- started on and run to the end on it. Existing workflows become version 1 of themselves.
-- Definitions saved from now on give fields and stages an id (the name they were first saved with)
-- and tasks keep values and stages by it; an existing definition has none, so its ids are its
-- names, which is what its tasks already hold: no task changes. The PostgreSQL migration is the
-- same.

CREATE TABLE workflow_versions (
  workflow_id BIGINT  NOT NULL REFERENCES workflows (id),
  version     INTEGER NOT NULL,
  app_id      BIGINT  NOT NULL REFERENCES apps (id),
  name        TEXT    NOT NULL,
  definition  TEXT    NOT NULL,
  created_by  BIGINT  REFERENCES users (id),
  created_at  BIGINT  NOT NULL,
  PRIMARY KEY (workflow_id, version)
);

INSERT INTO workflow_versions (workflow_id, version, app_id, name, definition, created_by,
                               created_at)
SELECT id, 1, app_id, name, definition, NULL, created_at FROM workflows;

ALTER TABLE workflows ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workflows ADD COLUMN updated_by BIGINT REFERENCES users (id);
ALTER TABLE workflows ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE workflows SET updated_at = created_at;

ALTER TABLE executions ADD COLUMN workflow_version INTEGER NOT NULL DEFAULT 1;
