-- App platform (Flock model): each app's registration extras, installs by people with their
-- hashed install tokens, and chat messages (to flows, people and bots) with their attachments.
-- Times are epoch milliseconds; JSON is text. The PostgreSQL migration has the same tables.

CREATE TABLE app_platform (
  app_id                     BIGINT  PRIMARY KEY REFERENCES apps (id),
  event_listener_url         TEXT,
  url_patterns               TEXT    NOT NULL,
  controls                   TEXT    NOT NULL,
  previous_secret_ciphertext TEXT,
  previous_secret_expires_at BIGINT,
  updated_at                 BIGINT  NOT NULL
);

CREATE TABLE app_installs (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  app_id     BIGINT  NOT NULL REFERENCES apps (id),
  user_id    BIGINT  NOT NULL REFERENCES users (id),
  token_hash TEXT    NOT NULL UNIQUE,
  created_at BIGINT  NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX app_installs_user ON app_installs (user_id, app_id);
CREATE INDEX app_installs_app ON app_installs (app_id);

CREATE TABLE chat_messages (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  from_user_id BIGINT  NOT NULL REFERENCES users (id),
  app_id       BIGINT  REFERENCES apps (id),
  chat         TEXT    NOT NULL,
  text         TEXT    NOT NULL,
  attachments  TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL
);
CREATE INDEX chat_messages_chat ON chat_messages (workspace_id, chat, id);
