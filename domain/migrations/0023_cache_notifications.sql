-- PostgreSQL only: notifications that keep the in-memory caches of several
-- servers on one database exact (see domain/migrations-postgres/0023). A
-- SQLite file has one server process, which drops its own caches after each
-- change, so there is nothing to do here; the file keeps the two engines'
-- numbering the same.
SELECT 1;
