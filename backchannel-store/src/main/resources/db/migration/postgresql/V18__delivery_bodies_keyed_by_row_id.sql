-- SQLite's V18 makes a delivery's id its body's row id. A PostgreSQL table keeps its rows in a
-- heap with the primary key as the one index, as delivery_bodies already did: nothing to change.
-- This version exists so that a schema version means the same on both stores.
SELECT 1;
