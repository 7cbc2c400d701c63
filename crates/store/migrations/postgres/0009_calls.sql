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

-- refuse_change() is defined in 0001_registry.sql.
CREATE TRIGGER call_outcomes_append_only BEFORE UPDATE OR DELETE ON call_outcomes
FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every data table records the rows each statement wrote (see 0007).
CREATE TRIGGER contacts_written AFTER INSERT OR UPDATE OR DELETE ON contacts
FOR EACH ROW EXECUTE FUNCTION audit_written('person_id', 'number');
CREATE TRIGGER assembly_points_written AFTER INSERT OR UPDATE OR DELETE ON assembly_points
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'number');
CREATE TRIGGER call_days_written AFTER INSERT OR UPDATE OR DELETE ON call_days
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date');
CREATE TRIGGER party_assembly_written AFTER INSERT OR UPDATE OR DELETE ON party_assembly
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'party');
CREATE TRIGGER call_outcomes_written AFTER INSERT OR UPDATE OR DELETE ON call_outcomes
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'party', 'attempt');
