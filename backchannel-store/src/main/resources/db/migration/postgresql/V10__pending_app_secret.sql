-- Two-phase secret rotation. A rotation first keeps the new secret here, sealed like
-- apps.secret_ciphertext: while it is pending it only adds a second Standard Webhooks signature,
-- and every JWT (FLOWDOCK-TOKEN, X-Flock-Event-Token, flockEventToken) is still signed with the
-- current secret. Activating it moves it to apps.secret_ciphertext. The SQLite migration is the
-- same.
ALTER TABLE app_platform ADD COLUMN pending_secret_ciphertext TEXT;
ALTER TABLE app_platform ADD COLUMN pending_secret_since BIGINT;
