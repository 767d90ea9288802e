-- The person a delivery is made for, as their user id; each contract writes it its own way
-- when it signs (Flock as "u:42", the others as "42"), so the stored id has one form.
ALTER TABLE deliveries ADD COLUMN actor_user_id BIGINT;

UPDATE deliveries
SET actor_user_id = CAST(CASE WHEN actor_id LIKE 'u:%' THEN substr(actor_id, 3) ELSE actor_id END AS INTEGER)
WHERE actor_id IS NOT NULL;

ALTER TABLE deliveries DROP COLUMN actor_id;
