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
CREATE TRIGGER audit_rows_no_update BEFORE UPDATE ON audit_rows
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_rows_no_delete BEFORE DELETE ON audit_rows
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

-- SQLite runs one writer at a time: a transaction's rows are those above
-- the largest id when it began (`tx` is always 0 here).
CREATE TABLE audit_pending (
    id INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    k1 TEXT NOT NULL,
    k2 TEXT,
    k3 TEXT,
    k4 TEXT,
    tx BIGINT NOT NULL DEFAULT 0
);

-- A bed hold gets a key: the person's holds are numbered 1, 2, 3 …
ALTER TABLE bed_holds ADD COLUMN hold BIGINT NOT NULL DEFAULT 0;
UPDATE bed_holds SET hold = (
    SELECT COUNT(*) FROM bed_holds AS earlier
    WHERE earlier.person_id = bed_holds.person_id
      AND (earlier.held_at < bed_holds.held_at
           OR (earlier.held_at = bed_holds.held_at AND earlier.rowid <= bed_holds.rowid))
);
CREATE UNIQUE INDEX bed_holds_by_key ON bed_holds (person_id, hold);
CREATE UNIQUE INDEX break_glass_by_key ON break_glass_grants (username, person_id, granted_at);

-- Every data table records the rows each statement wrote.
CREATE TRIGGER crossings_written_insert AFTER INSERT ON crossings BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('crossings', NEW.id);
END;
CREATE TRIGGER crossings_written_update AFTER UPDATE ON crossings BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('crossings', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'crossings', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER crossings_written_delete AFTER DELETE ON crossings BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('crossings', OLD.id);
END;
CREATE TRIGGER quotas_written_insert AFTER INSERT ON quotas BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('quotas', NEW.crossing, NEW.direction, NEW.category, NEW.valid_from);
END;
CREATE TRIGGER quotas_written_update AFTER UPDATE ON quotas BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('quotas', NEW.crossing, NEW.direction, NEW.category, NEW.valid_from);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'quotas', OLD.crossing, OLD.direction, OLD.category, OLD.valid_from WHERE OLD.crossing IS NOT NEW.crossing OR OLD.direction IS NOT NEW.direction OR OLD.category IS NOT NEW.category OR OLD.valid_from IS NOT NEW.valid_from;
END;
CREATE TRIGGER quotas_written_delete AFTER DELETE ON quotas BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('quotas', OLD.crossing, OLD.direction, OLD.category, OLD.valid_from);
END;
CREATE TRIGGER countries_written_insert AFTER INSERT ON countries BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('countries', NEW.code);
END;
CREATE TRIGGER countries_written_update AFTER UPDATE ON countries BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('countries', NEW.code);
    INSERT INTO audit_pending (tbl, k1) SELECT 'countries', OLD.code WHERE OLD.code IS NOT NEW.code;
END;
CREATE TRIGGER countries_written_delete AFTER DELETE ON countries BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('countries', OLD.code);
END;
CREATE TRIGGER facilities_written_insert AFTER INSERT ON facilities BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('facilities', NEW.id);
END;
CREATE TRIGGER facilities_written_update AFTER UPDATE ON facilities BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('facilities', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'facilities', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER facilities_written_delete AFTER DELETE ON facilities BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('facilities', OLD.id);
END;
CREATE TRIGGER facility_beds_written_insert AFTER INSERT ON facility_beds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('facility_beds', NEW.facility, NEW.specialty, NEW.from_date);
END;
CREATE TRIGGER facility_beds_written_update AFTER UPDATE ON facility_beds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('facility_beds', NEW.facility, NEW.specialty, NEW.from_date);
    INSERT INTO audit_pending (tbl, k1, k2, k3) SELECT 'facility_beds', OLD.facility, OLD.specialty, OLD.from_date WHERE OLD.facility IS NOT NEW.facility OR OLD.specialty IS NOT NEW.specialty OR OLD.from_date IS NOT NEW.from_date;
END;
CREATE TRIGGER facility_beds_written_delete AFTER DELETE ON facility_beds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('facility_beds', OLD.facility, OLD.specialty, OLD.from_date);
END;
CREATE TRIGGER figures_written_insert AFTER INSERT ON figures BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('figures', NEW.key, NEW.date);
END;
CREATE TRIGGER figures_written_update AFTER UPDATE ON figures BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('figures', NEW.key, NEW.date);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'figures', OLD.key, OLD.date WHERE OLD.key IS NOT NEW.key OR OLD.date IS NOT NEW.date;
END;
CREATE TRIGGER figures_written_delete AFTER DELETE ON figures BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('figures', OLD.key, OLD.date);
END;
CREATE TRIGGER crossing_rules_written_insert AFTER INSERT ON crossing_rules BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('crossing_rules', NEW.crossing, NEW.valid_from);
END;
CREATE TRIGGER crossing_rules_written_update AFTER UPDATE ON crossing_rules BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('crossing_rules', NEW.crossing, NEW.valid_from);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'crossing_rules', OLD.crossing, OLD.valid_from WHERE OLD.crossing IS NOT NEW.crossing OR OLD.valid_from IS NOT NEW.valid_from;
END;
CREATE TRIGGER crossing_rules_written_delete AFTER DELETE ON crossing_rules BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('crossing_rules', OLD.crossing, OLD.valid_from);
END;
CREATE TRIGGER luggage_rule_sets_written_insert AFTER INSERT ON luggage_rule_sets BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_rule_sets', NEW.crossing, NEW.version);
END;
CREATE TRIGGER luggage_rule_sets_written_update AFTER UPDATE ON luggage_rule_sets BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_rule_sets', NEW.crossing, NEW.version);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'luggage_rule_sets', OLD.crossing, OLD.version WHERE OLD.crossing IS NOT NEW.crossing OR OLD.version IS NOT NEW.version;
END;
CREATE TRIGGER luggage_rule_sets_written_delete AFTER DELETE ON luggage_rule_sets BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_rule_sets', OLD.crossing, OLD.version);
END;
CREATE TRIGGER reason_codes_written_insert AFTER INSERT ON reason_codes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('reason_codes', NEW.kind, NEW.code);
END;
CREATE TRIGGER reason_codes_written_update AFTER UPDATE ON reason_codes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('reason_codes', NEW.kind, NEW.code);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'reason_codes', OLD.kind, OLD.code WHERE OLD.kind IS NOT NEW.kind OR OLD.code IS NOT NEW.code;
END;
CREATE TRIGGER reason_codes_written_delete AFTER DELETE ON reason_codes BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('reason_codes', OLD.kind, OLD.code);
END;
CREATE TRIGGER persons_written_insert AFTER INSERT ON persons BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('persons', NEW.id);
END;
CREATE TRIGGER persons_written_update AFTER UPDATE ON persons BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('persons', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'persons', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER persons_written_delete AFTER DELETE ON persons BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('persons', OLD.id);
END;
CREATE TRIGGER status_events_written_insert AFTER INSERT ON status_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('status_events', NEW.person_id, NEW.version);
END;
CREATE TRIGGER status_events_written_update AFTER UPDATE ON status_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('status_events', NEW.person_id, NEW.version);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'status_events', OLD.person_id, OLD.version WHERE OLD.person_id IS NOT NEW.person_id OR OLD.version IS NOT NEW.version;
END;
CREATE TRIGGER status_events_written_delete AFTER DELETE ON status_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('status_events', OLD.person_id, OLD.version);
END;
CREATE TRIGGER clearance_batches_written_insert AFTER INSERT ON clearance_batches BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('clearance_batches', NEW.id);
END;
CREATE TRIGGER clearance_batches_written_update AFTER UPDATE ON clearance_batches BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('clearance_batches', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'clearance_batches', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER clearance_batches_written_delete AFTER DELETE ON clearance_batches BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('clearance_batches', OLD.id);
END;
CREATE TRIGGER clearance_requests_written_insert AFTER INSERT ON clearance_requests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('clearance_requests', NEW.batch_id, NEW.person_id);
END;
CREATE TRIGGER clearance_requests_written_update AFTER UPDATE ON clearance_requests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('clearance_requests', NEW.batch_id, NEW.person_id);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'clearance_requests', OLD.batch_id, OLD.person_id WHERE OLD.batch_id IS NOT NEW.batch_id OR OLD.person_id IS NOT NEW.person_id;
END;
CREATE TRIGGER clearance_requests_written_delete AFTER DELETE ON clearance_requests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('clearance_requests', OLD.batch_id, OLD.person_id);
END;
CREATE TRIGGER bed_holds_written_insert AFTER INSERT ON bed_holds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('bed_holds', NEW.person_id, NEW.hold);
END;
CREATE TRIGGER bed_holds_written_update AFTER UPDATE ON bed_holds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('bed_holds', NEW.person_id, NEW.hold);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'bed_holds', OLD.person_id, OLD.hold WHERE OLD.person_id IS NOT NEW.person_id OR OLD.hold IS NOT NEW.hold;
END;
CREATE TRIGGER bed_holds_written_delete AFTER DELETE ON bed_holds BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('bed_holds', OLD.person_id, OLD.hold);
END;
CREATE TRIGGER manifests_written_insert AFTER INSERT ON manifests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('manifests', NEW.crossing, NEW.date, NEW.direction);
END;
CREATE TRIGGER manifests_written_update AFTER UPDATE ON manifests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('manifests', NEW.crossing, NEW.date, NEW.direction);
    INSERT INTO audit_pending (tbl, k1, k2, k3) SELECT 'manifests', OLD.crossing, OLD.date, OLD.direction WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.direction IS NOT NEW.direction;
END;
CREATE TRIGGER manifests_written_delete AFTER DELETE ON manifests BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('manifests', OLD.crossing, OLD.date, OLD.direction);
END;
CREATE TRIGGER manifest_entries_written_insert AFTER INSERT ON manifest_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_entries', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
END;
CREATE TRIGGER manifest_entries_written_update AFTER UPDATE ON manifest_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_entries', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'manifest_entries', OLD.crossing, OLD.date, OLD.direction, OLD.person_id WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.direction IS NOT NEW.direction OR OLD.person_id IS NOT NEW.person_id;
END;
CREATE TRIGGER manifest_entries_written_delete AFTER DELETE ON manifest_entries BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('manifest_entries', OLD.crossing, OLD.date, OLD.direction, OLD.person_id);
END;
CREATE TRIGGER plan_overrides_written_insert AFTER INSERT ON plan_overrides BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('plan_overrides', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
END;
CREATE TRIGGER plan_overrides_written_update AFTER UPDATE ON plan_overrides BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('plan_overrides', NEW.crossing, NEW.date, NEW.direction, NEW.person_id);
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) SELECT 'plan_overrides', OLD.crossing, OLD.date, OLD.direction, OLD.person_id WHERE OLD.crossing IS NOT NEW.crossing OR OLD.date IS NOT NEW.date OR OLD.direction IS NOT NEW.direction OR OLD.person_id IS NOT NEW.person_id;
END;
CREATE TRIGGER plan_overrides_written_delete AFTER DELETE ON plan_overrides BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3, k4) VALUES ('plan_overrides', OLD.crossing, OLD.date, OLD.direction, OLD.person_id);
END;
CREATE TRIGGER luggage_declarations_written_insert AFTER INSERT ON luggage_declarations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('luggage_declarations', NEW.person_id);
END;
CREATE TRIGGER luggage_declarations_written_update AFTER UPDATE ON luggage_declarations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('luggage_declarations', NEW.person_id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'luggage_declarations', OLD.person_id WHERE OLD.person_id IS NOT NEW.person_id;
END;
CREATE TRIGGER luggage_declarations_written_delete AFTER DELETE ON luggage_declarations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('luggage_declarations', OLD.person_id);
END;
CREATE TRIGGER luggage_lines_written_insert AFTER INSERT ON luggage_lines BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_lines', NEW.person_id, NEW.position);
END;
CREATE TRIGGER luggage_lines_written_update AFTER UPDATE ON luggage_lines BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_lines', NEW.person_id, NEW.position);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'luggage_lines', OLD.person_id, OLD.position WHERE OLD.person_id IS NOT NEW.person_id OR OLD.position IS NOT NEW.position;
END;
CREATE TRIGGER luggage_lines_written_delete AFTER DELETE ON luggage_lines BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('luggage_lines', OLD.person_id, OLD.position);
END;
CREATE TRIGGER consignments_written_insert AFTER INSERT ON consignments BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('consignments', NEW.id);
END;
CREATE TRIGGER consignments_written_update AFTER UPDATE ON consignments BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('consignments', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'consignments', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER consignments_written_delete AFTER DELETE ON consignments BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('consignments', OLD.id);
END;
CREATE TRIGGER stage_events_written_insert AFTER INSERT ON stage_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('stage_events', NEW.consignment_id, NEW.version);
END;
CREATE TRIGGER stage_events_written_update AFTER UPDATE ON stage_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('stage_events', NEW.consignment_id, NEW.version);
    INSERT INTO audit_pending (tbl, k1, k2) SELECT 'stage_events', OLD.consignment_id, OLD.version WHERE OLD.consignment_id IS NOT NEW.consignment_id OR OLD.version IS NOT NEW.version;
END;
CREATE TRIGGER stage_events_written_delete AFTER DELETE ON stage_events BEGIN
    INSERT INTO audit_pending (tbl, k1, k2) VALUES ('stage_events', OLD.consignment_id, OLD.version);
END;
CREATE TRIGGER organisations_written_insert AFTER INSERT ON organisations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('organisations', NEW.id);
END;
CREATE TRIGGER organisations_written_update AFTER UPDATE ON organisations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('organisations', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'organisations', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER organisations_written_delete AFTER DELETE ON organisations BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('organisations', OLD.id);
END;
CREATE TRIGGER users_written_insert AFTER INSERT ON users BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('users', NEW.username);
END;
CREATE TRIGGER users_written_update AFTER UPDATE ON users BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('users', NEW.username);
    INSERT INTO audit_pending (tbl, k1) SELECT 'users', OLD.username WHERE OLD.username IS NOT NEW.username;
END;
CREATE TRIGGER users_written_delete AFTER DELETE ON users BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('users', OLD.username);
END;
CREATE TRIGGER api_tokens_written_insert AFTER INSERT ON api_tokens BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('api_tokens', NEW.id);
END;
CREATE TRIGGER api_tokens_written_update AFTER UPDATE ON api_tokens BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('api_tokens', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'api_tokens', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER api_tokens_written_delete AFTER DELETE ON api_tokens BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('api_tokens', OLD.id);
END;
CREATE TRIGGER break_glass_grants_written_insert AFTER INSERT ON break_glass_grants BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('break_glass_grants', NEW.username, NEW.person_id, NEW.granted_at);
END;
CREATE TRIGGER break_glass_grants_written_update AFTER UPDATE ON break_glass_grants BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('break_glass_grants', NEW.username, NEW.person_id, NEW.granted_at);
    INSERT INTO audit_pending (tbl, k1, k2, k3) SELECT 'break_glass_grants', OLD.username, OLD.person_id, OLD.granted_at WHERE OLD.username IS NOT NEW.username OR OLD.person_id IS NOT NEW.person_id OR OLD.granted_at IS NOT NEW.granted_at;
END;
CREATE TRIGGER break_glass_grants_written_delete AFTER DELETE ON break_glass_grants BEGIN
    INSERT INTO audit_pending (tbl, k1, k2, k3) VALUES ('break_glass_grants', OLD.username, OLD.person_id, OLD.granted_at);
END;
