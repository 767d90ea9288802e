-- An attempt's request body is its delivery's body as sent; attempts written by the worker say so
-- here instead of storing the body a second time. The other dialect's migration is the same.
ALTER TABLE attempts ADD COLUMN body_from_delivery INTEGER NOT NULL DEFAULT 0
  CHECK (body_from_delivery IN (0, 1));
