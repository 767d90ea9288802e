-- What an endpoint receives, for good: WEBHOOK, native events by subscription; FLOCK_LISTENER, its
-- app's Flock events (each with an event token) and nothing else. Earlier versions made an
-- endpoint for the listener URL that subscribed to every native event, so a native publish was
-- also sent there, unsigned for Flock. The SQLite migration is the same but for the clock.
ALTER TABLE endpoints ADD COLUMN kind TEXT NOT NULL DEFAULT 'WEBHOOK'
  CHECK (kind IN ('WEBHOOK', 'FLOCK_LISTENER'));

-- Listeners are the URL an app's registration names, and any endpoint a queued Flock event made
-- (the outbox wrote its first delivery, a Flock one, in the same millisecond as the endpoint).
UPDATE endpoints
SET kind = 'FLOCK_LISTENER', event_types = NULL
WHERE EXISTS (
        SELECT 1 FROM app_platform p
        WHERE p.app_id = endpoints.app_id AND p.event_listener_url = endpoints.url)
   OR EXISTS (
        SELECT 1 FROM deliveries d
        WHERE d.endpoint_id = endpoints.id AND d.contract = 'FLOCK'
          AND d.created_at = endpoints.created_at);

-- A registered listener URL that no event has reached yet gets its endpoint now, as saving a
-- registration does from this version on, so that it cannot be taken for native events.
INSERT INTO endpoints (workspace_id, app_id, kind, url, created_at, updated_at)
SELECT a.workspace_id, p.app_id, 'FLOCK_LISTENER', p.event_listener_url, p.updated_at, p.updated_at
FROM app_platform p JOIN apps a ON a.id = p.app_id
WHERE p.event_listener_url IS NOT NULL
  AND NOT EXISTS (
        SELECT 1 FROM endpoints e WHERE e.app_id = p.app_id AND e.url = p.event_listener_url);

-- Unfinished deliveries on an endpoint that does not take their contract are failed, not sent:
-- native events waiting for a listener would reach it without an event token. (Flock events
-- waiting on a URL that is now a webhook endpoint, a listener URL earlier moved away from an
-- endpoint made for native events, are failed the same way.) They keep their log and are never
-- replayed.
UPDATE deliveries
SET state = 'FAILED', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
    updated_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT),
    summary = 'not sent: a native event never goes to a Flock event listener (migration V11)'
WHERE state IN ('PENDING', 'SENDING') AND contract = 'NATIVE'
  AND endpoint_id IN (SELECT id FROM endpoints WHERE kind = 'FLOCK_LISTENER');

UPDATE deliveries
SET state = 'FAILED', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
    updated_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT),
    summary = 'not sent: its URL is no longer the app''s Flock event listener (migration V11)'
WHERE state IN ('PENDING', 'SENDING') AND contract = 'FLOCK'
  AND endpoint_id IN (SELECT id FROM endpoints WHERE kind = 'WEBHOOK');
