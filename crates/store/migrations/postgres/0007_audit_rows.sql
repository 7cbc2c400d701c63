-- The audit covers the data, not only the log. Every row of corridor's data
-- tables is bound to the audit chain: the entry of the change that wrote a
-- row records the row's digest (`audit_rows`), and the entry's own hash
-- covers the digest of all the rows it wrote (`audit_log.rows_digest`), so
-- `audit verify` can report a row edited, inserted or deleted outside
-- corridor by its table and key.
--
-- Which rows a transaction wrote is collected by triggers into
-- `audit_pending`, so that no write can forget it; the unit of work
-- (crates/store/src/unit_of_work.rs) digests those rows when it appends its
-- audit entry and empties its part of the table before committing. A
-- pending row that outlives its transaction was written outside corridor.

ALTER TABLE audit_log ADD COLUMN rows_digest TEXT NOT NULL DEFAULT '';

CREATE TABLE audit_rows (
    seq BIGINT NOT NULL,
    tbl TEXT NOT NULL,
    -- The row's key, as a JSON array of its key columns' values in text.
    row_key TEXT NOT NULL,
    -- SHA-256 of the row as the change left it; empty if it deleted the row.
    digest TEXT NOT NULL,
    PRIMARY KEY (seq, tbl, row_key)
);
-- refuse_change() is defined in 0001_registry.sql.
CREATE TRIGGER audit_rows_append_only BEFORE UPDATE OR DELETE ON audit_rows
FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Writers run concurrently on PostgreSQL: a transaction's rows are those
-- with its own transaction id.
CREATE TABLE audit_pending (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tbl TEXT NOT NULL,
    k1 TEXT NOT NULL,
    k2 TEXT,
    k3 TEXT,
    k4 TEXT,
    tx BIGINT NOT NULL DEFAULT txid_current()
);

-- Records the key of a row written; the trigger's arguments name the key
-- columns.
CREATE FUNCTION audit_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    written jsonb;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        written := to_jsonb(OLD);
        INSERT INTO audit_pending (tbl, k1, k2, k3, k4)
        VALUES (TG_TABLE_NAME, written ->> TG_ARGV[0], written ->> TG_ARGV[1],
                written ->> TG_ARGV[2], written ->> TG_ARGV[3]);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        written := to_jsonb(NEW);
        INSERT INTO audit_pending (tbl, k1, k2, k3, k4)
        VALUES (TG_TABLE_NAME, written ->> TG_ARGV[0], written ->> TG_ARGV[1],
                written ->> TG_ARGV[2], written ->> TG_ARGV[3]);
    END IF;
    RETURN NULL;
END;
$$;

-- A bed hold gets a key: the person's holds are numbered 1, 2, 3 …
ALTER TABLE bed_holds ADD COLUMN hold BIGINT NOT NULL DEFAULT 0;
UPDATE bed_holds SET hold = numbered.n
FROM (
    SELECT ctid AS row_id,
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY held_at, ctid) AS n
    FROM bed_holds
) AS numbered
WHERE bed_holds.ctid = numbered.row_id;
CREATE UNIQUE INDEX bed_holds_by_key ON bed_holds (person_id, hold);
CREATE UNIQUE INDEX break_glass_by_key ON break_glass_grants (username, person_id, granted_at);

-- Every data table records the rows each statement wrote.
CREATE TRIGGER crossings_written AFTER INSERT OR UPDATE OR DELETE ON crossings
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER quotas_written AFTER INSERT OR UPDATE OR DELETE ON quotas
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'direction', 'category', 'valid_from');
CREATE TRIGGER countries_written AFTER INSERT OR UPDATE OR DELETE ON countries
FOR EACH ROW EXECUTE FUNCTION audit_written('code');
CREATE TRIGGER facilities_written AFTER INSERT OR UPDATE OR DELETE ON facilities
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER facility_beds_written AFTER INSERT OR UPDATE OR DELETE ON facility_beds
FOR EACH ROW EXECUTE FUNCTION audit_written('facility', 'specialty', 'from_date');
CREATE TRIGGER figures_written AFTER INSERT OR UPDATE OR DELETE ON figures
FOR EACH ROW EXECUTE FUNCTION audit_written('key', 'date');
CREATE TRIGGER crossing_rules_written AFTER INSERT OR UPDATE OR DELETE ON crossing_rules
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'valid_from');
CREATE TRIGGER luggage_rule_sets_written AFTER INSERT OR UPDATE OR DELETE ON luggage_rule_sets
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'version');
CREATE TRIGGER reason_codes_written AFTER INSERT OR UPDATE OR DELETE ON reason_codes
FOR EACH ROW EXECUTE FUNCTION audit_written('kind', 'code');
CREATE TRIGGER persons_written AFTER INSERT OR UPDATE OR DELETE ON persons
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER status_events_written AFTER INSERT OR UPDATE OR DELETE ON status_events
FOR EACH ROW EXECUTE FUNCTION audit_written('person_id', 'version');
CREATE TRIGGER clearance_batches_written AFTER INSERT OR UPDATE OR DELETE ON clearance_batches
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER clearance_requests_written AFTER INSERT OR UPDATE OR DELETE ON clearance_requests
FOR EACH ROW EXECUTE FUNCTION audit_written('batch_id', 'person_id');
CREATE TRIGGER bed_holds_written AFTER INSERT OR UPDATE OR DELETE ON bed_holds
FOR EACH ROW EXECUTE FUNCTION audit_written('person_id', 'hold');
CREATE TRIGGER manifests_written AFTER INSERT OR UPDATE OR DELETE ON manifests
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'direction');
CREATE TRIGGER manifest_entries_written AFTER INSERT OR UPDATE OR DELETE ON manifest_entries
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'direction', 'person_id');
CREATE TRIGGER plan_overrides_written AFTER INSERT OR UPDATE OR DELETE ON plan_overrides
FOR EACH ROW EXECUTE FUNCTION audit_written('crossing', 'date', 'direction', 'person_id');
CREATE TRIGGER luggage_declarations_written AFTER INSERT OR UPDATE OR DELETE ON luggage_declarations
FOR EACH ROW EXECUTE FUNCTION audit_written('person_id');
CREATE TRIGGER luggage_lines_written AFTER INSERT OR UPDATE OR DELETE ON luggage_lines
FOR EACH ROW EXECUTE FUNCTION audit_written('person_id', 'position');
CREATE TRIGGER consignments_written AFTER INSERT OR UPDATE OR DELETE ON consignments
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER stage_events_written AFTER INSERT OR UPDATE OR DELETE ON stage_events
FOR EACH ROW EXECUTE FUNCTION audit_written('consignment_id', 'version');
CREATE TRIGGER organisations_written AFTER INSERT OR UPDATE OR DELETE ON organisations
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER users_written AFTER INSERT OR UPDATE OR DELETE ON users
FOR EACH ROW EXECUTE FUNCTION audit_written('username');
CREATE TRIGGER api_tokens_written AFTER INSERT OR UPDATE OR DELETE ON api_tokens
FOR EACH ROW EXECUTE FUNCTION audit_written('id');
CREATE TRIGGER break_glass_grants_written AFTER INSERT OR UPDATE OR DELETE ON break_glass_grants
FOR EACH ROW EXECUTE FUNCTION audit_written('username', 'person_id', 'granted_at');
