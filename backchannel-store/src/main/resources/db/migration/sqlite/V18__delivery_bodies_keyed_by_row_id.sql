-- A delivery's body is kept under the delivery's id as its row's own key. V1 declared that key
-- BIGINT PRIMARY KEY, which on SQLite is not the row id: each body was a row plus an entry in a
-- separate unique index, two b-trees written by every publish, searched by every claim and
-- written again by every purge. Declared INTEGER PRIMARY KEY, the delivery's id is the row id:
-- one b-tree, with bodies in the order deliveries are made. PostgreSQL's V18 changes nothing:
-- there the key was never a second copy.
CREATE TABLE delivery_bodies_v18 (
  delivery_id    INTEGER PRIMARY KEY REFERENCES deliveries (id),
  body           BLOB    NOT NULL,
  sealed_headers TEXT,
  traceparent    TEXT
);
INSERT INTO delivery_bodies_v18 (delivery_id, body, sealed_headers, traceparent)
  SELECT delivery_id, body, sealed_headers, traceparent FROM delivery_bodies ORDER BY delivery_id;
DROP TABLE delivery_bodies;
ALTER TABLE delivery_bodies_v18 RENAME TO delivery_bodies;
