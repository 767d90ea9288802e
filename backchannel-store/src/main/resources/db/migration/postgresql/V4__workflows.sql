-- Workflows (fields, stages and actions as one JSON definition, API Call header values sealed),
-- their tasks, and the executions of their actions. The SQLite migration has the same tables.

CREATE TABLE workflows (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  app_id       BIGINT  NOT NULL REFERENCES apps (id),
  name         TEXT    NOT NULL,
  definition   TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE tasks (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id BIGINT  NOT NULL REFERENCES workflows (id),
  stage       TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  unique_key  TEXT,
  created_at  BIGINT  NOT NULL,
  updated_at  BIGINT  NOT NULL,
  UNIQUE (workflow_id, unique_key)
);
CREATE INDEX tasks_workflow ON tasks (workflow_id, stage, id);

-- One row per set field, its value as compared in filters, so that lists filter in SQL.
CREATE TABLE task_values (
  task_id BIGINT NOT NULL REFERENCES tasks (id),
  field   TEXT   NOT NULL,
  value   TEXT   NOT NULL,
  PRIMARY KEY (task_id, field)
);
CREATE INDEX task_values_lookup ON task_values (field, value, task_id);

CREATE TABLE executions (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  workflow_id  BIGINT  NOT NULL REFERENCES workflows (id),
  task_id      BIGINT  NOT NULL REFERENCES tasks (id),
  action_id    INTEGER NOT NULL,
  action_name  TEXT    NOT NULL,
  performed_by BIGINT  NOT NULL REFERENCES users (id),
  status       TEXT    NOT NULL,
  failed_step  INTEGER,
  reason       TEXT,
  history      TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL,
  updated_at   BIGINT  NOT NULL
);
CREATE INDEX executions_status ON executions (status, id);
