-- Columns use only BIGINT, DOUBLE PRECISION and TEXT so that one SQL code
-- path works through sqlx's Any driver on SQLite and PostgreSQL alike.
-- Instants are integer microseconds since the Unix epoch; dates are
-- YYYY-MM-DD text; flags are 0/1.

CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    name TEXT,
    birth_year BIGINT NOT NULL,
    sex TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    companion_of TEXT REFERENCES persons (id),
    relationship TEXT,
    condition TEXT,
    specialty TEXT,
    tier TEXT,
    -- The tier's position in priority order (0 = most urgent); 99 for
    -- companions. Lists sort on it, so one index serves filter and order.
    tier_rank BIGINT NOT NULL,
    referral_date TEXT,
    referring_facility TEXT,
    return_guarantee BIGINT,
    status TEXT NOT NULL,
    clearance_attempt BIGINT NOT NULL,
    booking_date TEXT,
    booking_crossing TEXT,
    admitted_to TEXT,
    died_on TEXT,
    version BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    status_changed_at BIGINT NOT NULL
);
-- Lists walk this index in priority order and stop after a page; the
-- filter columns are in it too, so counting matches never reads the table.
CREATE INDEX persons_by_priority
    ON persons (role, tier_rank, referral_date, id, status, specialty, birth_year);
CREATE INDEX persons_by_companion_of ON persons (companion_of);

CREATE TABLE status_events (
    person_id TEXT NOT NULL REFERENCES persons (id),
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    action TEXT,
    reason TEXT,
    action_date TEXT,
    crossing TEXT,
    facility TEXT,
    clearance_attempt BIGINT NOT NULL,
    note TEXT,
    PRIMARY KEY (person_id, version)
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The head of the chain. Every append updates this one row first, which
-- serialises appends on PostgreSQL (a row lock) as BEGIN IMMEDIATE does on SQLite.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER status_events_append_only BEFORE UPDATE OR DELETE ON status_events
FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE crossings (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    directions TEXT NOT NULL,
    operating_days TEXT NOT NULL
);

CREATE TABLE quotas (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    direction TEXT NOT NULL,
    category TEXT NOT NULL,
    per_day BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    PRIMARY KEY (crossing, direction, category, valid_from)
);

CREATE TABLE countries (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    open BIGINT NOT NULL
);

CREATE TABLE facilities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL REFERENCES countries (code),
    requires_return_guarantee BIGINT NOT NULL,
    open BIGINT NOT NULL
);

CREATE TABLE facility_beds (
    facility TEXT NOT NULL REFERENCES facilities (id),
    specialty TEXT NOT NULL,
    beds BIGINT NOT NULL,
    from_date TEXT NOT NULL,
    to_date TEXT NOT NULL
);
CREATE INDEX facility_beds_by_facility ON facility_beds (facility);

CREATE TABLE figures (
    key TEXT NOT NULL,
    date TEXT NOT NULL,
    label TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    publisher TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT NOT NULL,
    url TEXT,
    note TEXT,
    PRIMARY KEY (key, date)
);
