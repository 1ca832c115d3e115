-- Machine mail kept out of the queue (issue 16) shares the quarantine's storage: the raw bytes,
-- where they came from, why. `kind` tells failed mail from machine mail staff may promote.
ALTER TABLE quarantine ADD COLUMN kind {text} NOT NULL DEFAULT 'failed';

CREATE INDEX quarantine_kind ON quarantine (kind, resolved_at);
