-- Aid consignments and their stage history. Consignments carry no personal
-- data (the driver is not recorded). Weights are integer kilograms.

CREATE TABLE consignments (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    category TEXT NOT NULL,
    origin TEXT NOT NULL,
    crossing TEXT NOT NULL,
    -- The load as dispatched.
    trucks BIGINT NOT NULL,
    pallets BIGINT NOT NULL,
    kilograms BIGINT NOT NULL,
    -- The current stage line.
    stage TEXT NOT NULL,
    stage_trucks BIGINT NOT NULL,
    stage_pallets BIGINT NOT NULL,
    stage_kilograms BIGINT NOT NULL,
    stage_since BIGINT NOT NULL,
    version BIGINT NOT NULL,
    registered_at BIGINT NOT NULL
);
-- "Oldest stuck in a stage" walks the first index; the counts by stage and
-- category read only the second.
CREATE INDEX consignments_by_stage ON consignments (stage, stage_since);
CREATE INDEX consignments_by_stage_category
    ON consignments (stage, category, stage_trucks, stage_kilograms);

CREATE TABLE stage_events (
    consignment_id TEXT NOT NULL REFERENCES consignments (id),
    version BIGINT NOT NULL,
    at BIGINT NOT NULL,
    -- The UTC date of `at`, which the daily figures group by.
    on_day TEXT NOT NULL,
    actor TEXT NOT NULL,
    -- Copied from the consignment (it never changes), so that the daily
    -- figures need no join.
    category TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    reason TEXT,
    items TEXT,
    -- The load in force after the event.
    trucks BIGINT NOT NULL,
    pallets BIGINT NOT NULL,
    kilograms BIGINT NOT NULL,
    -- Time spent in from_stage, exactly and in whole minutes.
    dwell_micros BIGINT,
    dwell_minutes BIGINT,
    note TEXT,
    PRIMARY KEY (consignment_id, version)
);
-- Each report aggregate walks one covering index in its GROUP BY order,
-- so a report over a million events reads no table row and sorts nothing.
CREATE INDEX stage_events_by_day
    ON stage_events (on_day, to_stage, category, trucks, pallets, kilograms);
CREATE INDEX stage_events_by_dwell ON stage_events (from_stage, dwell_minutes, on_day);
CREATE INDEX stage_events_by_reason ON stage_events (to_stage, reason, on_day, trucks);

-- refuse_change() is defined in 0001_registry.sql.
CREATE TRIGGER stage_events_append_only BEFORE UPDATE OR DELETE ON stage_events
FOR EACH ROW EXECUTE FUNCTION refuse_change();
