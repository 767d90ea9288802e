-- Web UI sign-in: a password hash per user (bcrypt), one-time setup links and browser sessions.
-- Links and sessions hold the SHA-256 of their random token, never the token. Times are epoch
-- milliseconds. The other dialect's migration has the same tables.

CREATE TABLE user_passwords (
  user_id    BIGINT PRIMARY KEY REFERENCES users (id),
  hash       TEXT   NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE setup_links (
  token_hash TEXT   PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at    BIGINT
);

CREATE TABLE web_sessions (
  id_hash    TEXT   PRIMARY KEY,
  user_id    BIGINT NOT NULL REFERENCES users (id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
