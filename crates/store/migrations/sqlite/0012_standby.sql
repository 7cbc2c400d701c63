-- The standby list of a confirmed crossing day and the amendments of its
-- manifest (issue 14).

-- The parties who would come next under the same rules, fixed when the
-- manifest is confirmed, ranked from 1. A party is named by its head (the
-- patient or the returnee); `companions` lists, comma-separated, the
-- companions who would travel with it, `people` counts the party and
-- `score` is its priority score (0 inbound). `facility` is where an
-- outbound patient would be received. A party that fills a freed place or
-- is added by hand leaves the list: `taken_at` is set, the row stays.
CREATE TABLE standby_entries (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    rank BIGINT NOT NULL,
    companions TEXT NOT NULL,
    people BIGINT NOT NULL,
    score BIGINT NOT NULL,
    reason TEXT NOT NULL,
    facility TEXT,
    taken_at BIGINT,
    PRIMARY KEY (crossing, date, direction, person_id)
);

-- Every change of a confirmed manifest, one row per party changed (named
-- by its head), numbered from 1 within the manifest; the rows of one
-- amendment share `amendment`. `kind` is fill, add or remove; `reason` is
-- the planner's reason for a party added, the user's for one removed.
CREATE TABLE manifest_amendments (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    id BIGINT NOT NULL,
    amendment BIGINT NOT NULL,
    kind TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    people BIGINT NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (crossing, date, direction, id)
);

CREATE TRIGGER manifest_amendments_no_update BEFORE UPDATE ON manifest_amendments
BEGIN SELECT RAISE(ABORT, 'the amendments of a manifest are append-only'); END;
CREATE TRIGGER manifest_amendments_no_delete BEFORE DELETE ON manifest_amendments
BEGIN SELECT RAISE(ABORT, 'the amendments of a manifest are append-only'); END;

-- Every data table records the rows each statement wrote (see 0007).
CREATE TRIGGER standby_entries_written_insert AFTER INSERT ON standby_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('standby_entries', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
END;
CREATE TRIGGER standby_entries_written_update AFTER UPDATE ON standby_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('standby_entries', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'standby_entries', OLD.crossing, OLD.date, OLD.direction, OLD.person_id WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.direction IS NOT NEW.direction OR OLD.person_id IS NOT NEW.person_id;
END;
CREATE TRIGGER standby_entries_written_delete AFTER DELETE ON standby_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('standby_entries', OLD.crossing, OLD.date, OLD.direction, OLD.person_id);
END;
CREATE TRIGGER manifest_amendments_written_insert AFTER INSERT ON manifest_amendments BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_amendments', NEW.crossing, NEW.date, NEW.direction, NEW.id);
END;
CREATE TRIGGER manifest_amendments_written_update AFTER UPDATE ON manifest_amendments BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_amendments', NEW.crossing, NEW.date, NEW.direction, NEW.id);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'manifest_amendments', OLD.crossing, OLD.date, OLD.direction, OLD.id WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.direction IS NOT NEW.direction OR OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER manifest_amendments_written_delete AFTER DELETE ON manifest_amendments BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_amendments', OLD.crossing, OLD.date, OLD.direction, OLD.id);
END;
