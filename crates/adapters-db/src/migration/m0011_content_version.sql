-- Which version of a rule that derives stored content last wrote it: `html_sanitizer` for
-- messages.body_html. When a stricter rule ships, rows written by an older one are rewritten
-- once (Database::resanitize_html) and the new version recorded here. No row means version 0.
CREATE TABLE content_versions (
    name    {text} PRIMARY KEY,
    version {bigint} NOT NULL
);
