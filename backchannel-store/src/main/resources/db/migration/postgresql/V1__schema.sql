-- Backchannel schema for PostgreSQL. Times are epoch milliseconds; enums are names.
-- The SQLite migration has the same tables and columns.

CREATE TABLE workspaces (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       TEXT    NOT NULL,
  created_at BIGINT  NOT NULL
);

CREATE TABLE users (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  name         TEXT    NOT NULL,
  email        TEXT    NOT NULL,
  avatar       TEXT,
  role         TEXT    NOT NULL,
  token_hash   TEXT    UNIQUE,
  created_at   BIGINT  NOT NULL,
  UNIQUE (workspace_id, email)
);

CREATE TABLE flows (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  name         TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE flow_members (
  flow_id    BIGINT NOT NULL REFERENCES flows (id),
  user_id    BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (flow_id, user_id)
);
CREATE INDEX flow_members_user ON flow_members (user_id);

CREATE TABLE apps (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id      BIGINT  NOT NULL REFERENCES workspaces (id),
  name              TEXT    NOT NULL,
  client_id         TEXT    NOT NULL,
  secret_ciphertext TEXT    NOT NULL,
  created_at        BIGINT  NOT NULL,
  UNIQUE (workspace_id, client_id)
);

CREATE TABLE sources (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  app_id     BIGINT  NOT NULL REFERENCES apps (id),
  flow_id    BIGINT  NOT NULL REFERENCES flows (id),
  name       TEXT    NOT NULL,
  token_hash TEXT    NOT NULL UNIQUE,
  created_at BIGINT  NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX sources_app ON sources (app_id);

CREATE TABLE threads (
  id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  flow_id            BIGINT  NOT NULL REFERENCES flows (id),
  source_id          BIGINT  NOT NULL REFERENCES sources (id),
  external_thread_id TEXT    NOT NULL,
  data               TEXT    NOT NULL,
  created_at         BIGINT  NOT NULL,
  updated_at         BIGINT  NOT NULL,
  UNIQUE (source_id, external_thread_id)
);
CREATE INDEX threads_flow ON threads (flow_id, id);

CREATE TABLE messages (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  flow_id    BIGINT  NOT NULL REFERENCES flows (id),
  thread_id  BIGINT  REFERENCES threads (id),
  source_id  BIGINT  REFERENCES sources (id),
  user_id    BIGINT  REFERENCES users (id),
  event      TEXT    NOT NULL,
  author     TEXT,
  title      TEXT,
  body       TEXT,
  created_at BIGINT  NOT NULL
);
CREATE INDEX messages_flow ON messages (flow_id, id);
CREATE INDEX messages_thread ON messages (thread_id, id);

CREATE TABLE deliveries (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id),
  app_id          BIGINT  NOT NULL REFERENCES apps (id),
  message_id      TEXT    NOT NULL UNIQUE,
  contract        TEXT    NOT NULL,
  event           TEXT    NOT NULL,
  method          TEXT    NOT NULL,
  url             TEXT    NOT NULL,
  actor_id        TEXT,
  interactive     BOOLEAN NOT NULL,
  state           TEXT    NOT NULL,
  attempt_count   INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_owner     TEXT,
  lease_until     BIGINT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  summary         TEXT
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_workspace ON deliveries (workspace_id, id);

CREATE TABLE delivery_bodies (
  delivery_id BIGINT PRIMARY KEY REFERENCES deliveries (id),
  body        BYTEA  NOT NULL
);

CREATE TABLE attempts (
  id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id      BIGINT  NOT NULL REFERENCES deliveries (id),
  number           INTEGER NOT NULL,
  started_at       BIGINT  NOT NULL,
  duration_ms      BIGINT  NOT NULL,
  request_method   TEXT    NOT NULL,
  request_url      TEXT    NOT NULL,
  request_headers  TEXT    NOT NULL,
  request_body     TEXT,
  response_status  INTEGER,
  response_headers TEXT    NOT NULL,
  response_body    TEXT,
  error            TEXT,
  outcome          TEXT    NOT NULL,
  UNIQUE (delivery_id, number)
);
