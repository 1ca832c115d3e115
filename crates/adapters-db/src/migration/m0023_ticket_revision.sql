-- The ticket's revision (issue 16): bumped only when a field clients edit changes, so the API's
-- ETag no longer goes stale when the assistant, a note or a sweep writes the row. Existing
-- tickets start at their row version, so ETags clients hold keep matching.
ALTER TABLE tickets ADD COLUMN revision {bigint} NOT NULL DEFAULT 0;

UPDATE tickets SET revision = version;
