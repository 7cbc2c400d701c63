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

-- refuse_change() is defined in 0001_registry.sql.
CREATE TRIGGER manifest_amendments_append_only BEFORE UPDATE OR DELETE ON manifest_amendments
FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Every data table records the rows each statement wrote (see 0007).
CREATE TRIGGER standby_entries_written AFTER INSERT OR UPDATE OR DELETE ON standby_entries
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'direction', 'person_id');
CREATE TRIGGER manifest_amendments_written AFTER INSERT OR UPDATE OR DELETE ON manifest_amendments
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'direction', 'id');
