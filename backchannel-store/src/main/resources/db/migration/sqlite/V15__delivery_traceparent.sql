-- The W3C traceparent of the request that queued a delivery (null: tracing was off), kept with its
-- body, which is written once and read when it is sent: every attempt, hours later too, joins
-- that request's trace. The queue row itself, claimed and updated often, stays as it was.
ALTER TABLE delivery_bodies ADD COLUMN traceparent TEXT;
