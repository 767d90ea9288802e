-- Where background deliveries go: one row per app and URL, with its ordering, its limit and
-- whether it is still called at all.
CREATE TABLE endpoints (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id    BIGINT  NOT NULL REFERENCES workspaces (id),
  app_id          BIGINT  NOT NULL REFERENCES apps (id),
  url             TEXT    NOT NULL,
  fifo            INTEGER NOT NULL DEFAULT 0 CHECK (fifo IN (0, 1)),
  max_in_flight   INTEGER NOT NULL DEFAULT 16,
  event_types     TEXT,
  disabled_at     BIGINT,
  disabled_reason TEXT,
  failing_since   BIGINT,
  created_at      BIGINT  NOT NULL,
  updated_at      BIGINT  NOT NULL,
  UNIQUE (app_id, url)
);

ALTER TABLE deliveries ADD COLUMN endpoint_id BIGINT REFERENCES endpoints (id);
ALTER TABLE deliveries ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (app_id, idempotency_key);
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, state, id);
CREATE INDEX deliveries_lease ON deliveries (state, lease_until);

ALTER TABLE delivery_bodies ADD COLUMN sealed_headers TEXT;
