-- The night before a crossing day (issue 14): how each party is reached,
-- where it meets, and what each call answered.

-- A person's contact channels: personal data, read and changed only by the
-- roles that see names. `number` counts from 1 within the person and is
-- never reused: a removed contact keeps its row (`removed_at`), so a form
-- made before a removal cannot remove another number by mistake.
CREATE TABLE contacts (
    person_id TEXT NOT NULL REFERENCES persons (id),
    number BIGINT NOT NULL,
    phone TEXT NOT NULL,
    label TEXT NOT NULL,
    language TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    removed_at BIGINT,
    removed_by TEXT,
    PRIMARY KEY (person_id, number)
);

-- The places parties meet at on a crossing day (both directions), and when
-- (`meet_at`, HH:MM on the crossing's clock).
CREATE TABLE assembly_points (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    date TEXT NOT NULL,
    number BIGINT NOT NULL,
    place TEXT NOT NULL,
    meet_at TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (crossing, date, number)
);

-- A day's cut-off when it is not the default (22:00 UTC the evening before):
-- `cut_off` is YYYY-MM-DDTHH:MM on the UTC clock.
CREATE TABLE call_days (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    date TEXT NOT NULL,
    cut_off TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    PRIMARY KEY (crossing, date)
);

-- The assembly point the coordinator gave a party (named by its head);
-- without a row the party meets at the day's first point.
CREATE TABLE party_assembly (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    party TEXT NOT NULL REFERENCES persons (id),
    point BIGINT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    PRIMARY KEY (crossing, date, party)
);

-- Every call outcome recorded for a party, numbered from 1; the latest
-- counts, the earlier ones stay (append-only). `reason` is free text about
-- the party and stays with it.
CREATE TABLE call_outcomes (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    party TEXT NOT NULL REFERENCES persons (id),
    attempt BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT,
    recorded_at BIGINT NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (crossing, date, party, attempt)
);

-- The codes corridor records when a call frees a party's places.
INSERT INTO reason_codes (kind, code, label, in_use, position) VALUES
    ('unscheduled', 'declined-on-call', 'Declined the place when called before the day', 1, 6),
    ('unscheduled', 'unreachable-by-cut-off', 'Could not be reached by the day''s cut-off', 1, 7);

CREATE TRIGGER call_outcomes_no_update BEFORE UPDATE ON call_outcomes
BEGIN SELECT RAISE(ABORT, 'the call history is append-only'); END;
CREATE TRIGGER call_outcomes_no_delete BEFORE DELETE ON call_outcomes
BEGIN SELECT RAISE(ABORT, 'the call history is append-only'); END;

-- Every data table records the rows each statement wrote (see 0007).
CREATE TRIGGER contacts_written_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('contacts', NEW.person_id, NEW.number);
END;
CREATE TRIGGER contacts_written_update AFTER UPDATE ON contacts BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('contacts', NEW.person_id, NEW.number);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'contacts', OLD.person_id, OLD.number WHERE OLD.person_id IS NOT NEW.person_id OR OLD.number IS NOT NEW.number;
END;
CREATE TRIGGER contacts_written_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('contacts', OLD.person_id, OLD.number);
END;
CREATE TRIGGER assembly_points_written_insert AFTER INSERT ON assembly_points BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('assembly_points', NEW.crossing, NEW.date, NEW.number);
END;
CREATE TRIGGER assembly_points_written_update AFTER UPDATE ON assembly_points BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('assembly_points', NEW.crossing, NEW.date, NEW.number);
    INSERT INTO audit_pending (tbl, k1, k2, k3) SELECT 'assembly_points', OLD.crossing, OLD.date, OLD.number WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.number IS NOT NEW.number;
END;
CREATE TRIGGER assembly_points_written_delete AFTER DELETE ON assembly_points BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('assembly_points', OLD.crossing, OLD.date, OLD.number);
END;
CREATE TRIGGER call_days_written_insert AFTER INSERT ON call_days BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('call_days', NEW.crossing, NEW.date);
END;
CREATE TRIGGER call_days_written_update AFTER UPDATE ON call_days BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('call_days', NEW.crossing, NEW.date);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'call_days', OLD.crossing, OLD.date WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date;
END;
CREATE TRIGGER call_days_written_delete AFTER DELETE ON call_days BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('call_days', OLD.crossing, OLD.date);
END;
CREATE TRIGGER party_assembly_written_insert AFTER INSERT ON party_assembly BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('party_assembly', NEW.crossing, NEW.date, NEW.party);
END;
CREATE TRIGGER party_assembly_written_update AFTER UPDATE ON party_assembly BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('party_assembly', NEW.crossing, NEW.date, NEW.party);
    INSERT INTO audit_pending (tbl, k1, k2, k3) SELECT 'party_assembly', OLD.crossing, OLD.date, OLD.party WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.party IS NOT NEW.party;
END;
CREATE TRIGGER party_assembly_written_delete AFTER DELETE ON party_assembly BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('party_assembly', OLD.crossing, OLD.date, OLD.party);
END;
CREATE TRIGGER call_outcomes_written_insert AFTER INSERT ON call_outcomes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('call_outcomes', NEW.crossing, NEW.date, NEW.party, NEW.attempt);
END;
CREATE TRIGGER call_outcomes_written_update AFTER UPDATE ON call_outcomes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('call_outcomes', NEW.crossing, NEW.date, NEW.party, NEW.attempt);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'call_outcomes', OLD.crossing, OLD.date, OLD.party, OLD.attempt WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.party IS NOT NEW.party OR OLD.attempt IS NOT NEW.attempt;
END;
CREATE TRIGGER call_outcomes_written_delete AFTER DELETE ON call_outcomes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('call_outcomes', OLD.crossing, OLD.date, OLD.party, OLD.attempt);
END;
