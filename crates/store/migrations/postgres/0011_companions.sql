-- Replacing a companion who cannot travel (denied clearance, turned back,
-- withdrawn, died) with another family member. The replaced companion
-- keeps their record and history: they leave the list as `withdrawn`
-- with the reason `replaced` (if not already out of it), and this table
-- links them to the companion registered in their place, in the same
-- transaction. A replaced companion does not count against the patient's
-- companion limit.
CREATE TABLE companion_replacements (
    replaced TEXT PRIMARY KEY REFERENCES persons (id),
    -- Registered in the same transaction, after this row: checked at commit.
    replacement TEXT NOT NULL UNIQUE REFERENCES persons (id) DEFERRABLE INITIALLY DEFERRED,
    patient TEXT NOT NULL REFERENCES persons (id),
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL
);

CREATE INDEX companion_replacements_by_patient ON companion_replacements (patient);

INSERT INTO reason_codes (kind, code, label, in_use, position) VALUES
    ('withdrawn', 'replaced', 'Replaced by another companion', 1, 9);

-- Bound to the audit chain like every data table (see 0007).
CREATE TRIGGER companion_replacements_written AFTER INSERT OR UPDATE OR DELETE ON companion_replacements
FOR EACH ROW EXECUTE FUNCTION audit_written('replaced');
