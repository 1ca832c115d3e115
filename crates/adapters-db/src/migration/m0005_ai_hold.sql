-- Why auto mode kept an AI reply back as a draft (domain::ai::HoldReason), for staff to see.
ALTER TABLE ai_drafts ADD COLUMN hold_reason {text}
