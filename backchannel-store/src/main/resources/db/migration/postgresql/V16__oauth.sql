-- Self-service installs: Backchannel as an OAuth 2.0 authorisation server for its apps. Codes and
-- tokens hold the SHA-256 of their random value, never the value. Times are epoch milliseconds.
-- The other dialect's migration has the same tables.

-- Who may add apps by themselves: 'any' app of the workspace, only 'approved' ones, or 'none'.
ALTER TABLE workspaces ADD COLUMN install_policy TEXT NOT NULL DEFAULT 'any';

-- An app's settings as an OAuth client. An app without a row has no redirect URI, so nobody can
-- authorise it. redirect_uris is a JSON array of exact URIs.
CREATE TABLE oauth_clients (
  app_id        BIGINT  PRIMARY KEY REFERENCES apps (id),
  redirect_uris TEXT    NOT NULL,
  public_client BOOLEAN NOT NULL,
  approved      BOOLEAN NOT NULL,
  description   TEXT,
  install_url   TEXT,
  updated_at    BIGINT  NOT NULL
);

-- A person's authorisation of an app: its scopes (space-separated) and, for flow-scoped ones, the
-- flow they picked. Tokens and sources made under a grant stop when it is revoked.
CREATE TABLE oauth_grants (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  app_id       BIGINT  NOT NULL REFERENCES apps (id),
  user_id      BIGINT  NOT NULL REFERENCES users (id),
  flow_id      BIGINT  REFERENCES flows (id),
  scopes       TEXT    NOT NULL,
  created_at   BIGINT  NOT NULL,
  revoked_at   BIGINT,
  revoked_by   BIGINT  REFERENCES users (id)
);
CREATE INDEX oauth_grants_user ON oauth_grants (user_id);
CREATE INDEX oauth_grants_workspace ON oauth_grants (workspace_id, id);

-- Authorisation codes: single use, short-lived, bound to the redirect URI and PKCE challenge.
CREATE TABLE oauth_codes (
  code_hash      TEXT   PRIMARY KEY,
  grant_id       BIGINT NOT NULL REFERENCES oauth_grants (id),
  redirect_uri   TEXT   NOT NULL,
  code_challenge TEXT,
  expires_at     BIGINT NOT NULL,
  used_at        BIGINT
);

-- Access ('access') and refresh ('refresh') tokens. A refresh token is used once: its use sets
-- used_at, and a second use revokes the whole grant (reuse detection).
CREATE TABLE oauth_tokens (
  id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  grant_id   BIGINT  NOT NULL REFERENCES oauth_grants (id),
  kind       TEXT    NOT NULL,
  token_hash TEXT    NOT NULL UNIQUE,
  created_at BIGINT  NOT NULL,
  expires_at BIGINT,
  used_at    BIGINT,
  revoked_at BIGINT
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);

-- Every grant and revocation: who, when, what. Kept when the grant is revoked.
CREATE TABLE oauth_events (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id BIGINT  NOT NULL REFERENCES workspaces (id),
  grant_id     BIGINT  NOT NULL REFERENCES oauth_grants (id),
  actor_id     BIGINT  REFERENCES users (id),
  action       TEXT    NOT NULL,
  detail       TEXT,
  at           BIGINT  NOT NULL
);
CREATE INDEX oauth_events_workspace ON oauth_events (workspace_id, id);

-- A source an app made for itself under a grant, and the person whose grant it was.
ALTER TABLE sources ADD COLUMN grant_id BIGINT REFERENCES oauth_grants (id);
ALTER TABLE sources ADD COLUMN created_by BIGINT REFERENCES users (id);
ALTER TABLE sources ADD COLUMN external_url TEXT;
