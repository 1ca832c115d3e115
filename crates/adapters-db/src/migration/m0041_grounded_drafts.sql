-- Grounded drafts (issue 20): the sources an AI draft cites (JSON array of {n, source, id, title,
-- url}), how many of its markers pointed at nothing (removed), and the promises it makes that no
-- cited source backs (JSON array of names).
ALTER TABLE ai_drafts ADD COLUMN citations {text} NOT NULL DEFAULT '[]';
ALTER TABLE ai_drafts ADD COLUMN citation_defects {bigint} NOT NULL DEFAULT 0;
ALTER TABLE ai_drafts ADD COLUMN unsupported_promises {text} NOT NULL DEFAULT '[]';
CREATE INDEX ai_drafts_created ON ai_drafts (created_at);
