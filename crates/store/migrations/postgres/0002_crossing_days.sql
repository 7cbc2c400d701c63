-- Crossing days: crossing rules per period, clearance batches, bed holds,
-- confirmed manifests and what happened at the gate, returnees' luggage.

ALTER TABLE persons ADD COLUMN returning_from TEXT;

CREATE TABLE crossing_rules (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    max_companions BIGINT NOT NULL,
    entries_equal_exits BIGINT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (crossing, valid_from)
);

CREATE TABLE clearance_batches (
    id TEXT PRIMARY KEY,
    crossing TEXT NOT NULL REFERENCES crossings (id),
    direction TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    needed_by TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    submitted_by TEXT NOT NULL,
    note TEXT
);

-- One row per person per batch. `attempt` is the person's clearance attempt
-- (1 for the first request); `previous_batch` links a resubmission to the
-- batch of the attempt before it.
CREATE TABLE clearance_requests (
    batch_id TEXT NOT NULL REFERENCES clearance_batches (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    attempt BIGINT NOT NULL,
    previous_batch TEXT,
    outcome TEXT,
    reason TEXT,
    decided_on TEXT,
    recorded_at BIGINT,
    recorded_by TEXT,
    PRIMARY KEY (batch_id, person_id)
);
CREATE INDEX clearance_requests_by_person ON clearance_requests (person_id);
-- A person has at most one request waiting for a decision.
CREATE UNIQUE INDEX clearance_requests_one_pending ON clearance_requests (person_id)
    WHERE outcome IS NULL;

-- A bed offer is one facility_beds row: `beds` patients may arrive within
-- its dates. A hold takes one of them from scheduling until admission
-- (consumed) or until the patient does not cross (released).
CREATE UNIQUE INDEX facility_beds_offer ON facility_beds (facility, specialty, from_date);
CREATE TABLE bed_holds (
    person_id TEXT NOT NULL REFERENCES persons (id),
    facility TEXT NOT NULL REFERENCES facilities (id),
    specialty TEXT NOT NULL,
    offer_from TEXT NOT NULL,
    arrival_date TEXT NOT NULL,
    state TEXT NOT NULL,
    held_at BIGINT NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX bed_holds_by_offer ON bed_holds (facility, specialty, offer_from, state);
CREATE UNIQUE INDEX bed_holds_one_held ON bed_holds (person_id) WHERE state = 'held';

CREATE TABLE manifests (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    method TEXT NOT NULL,
    places BIGINT NOT NULL,
    objective BIGINT NOT NULL,
    notes TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    confirmed_by TEXT NOT NULL,
    PRIMARY KEY (crossing, date, direction)
);

-- `party` is the patient a companion travels with (a patient's or a
-- returnee's own id otherwise). `outcome` stays empty while the person is
-- expected at the gate.
CREATE TABLE manifest_entries (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    party TEXT NOT NULL,
    position BIGINT NOT NULL,
    facility TEXT,
    reason TEXT NOT NULL,
    outcome TEXT,
    outcome_reason TEXT,
    outcome_at BIGINT,
    outcome_by TEXT,
    PRIMARY KEY (crossing, date, direction, person_id)
);
-- Nobody holds a place on two manifests: at most one entry per person is open.
CREATE UNIQUE INDEX manifest_entries_one_open ON manifest_entries (person_id)
    WHERE outcome IS NULL;

CREATE TABLE plan_overrides (
    crossing TEXT NOT NULL,
    date TEXT NOT NULL,
    direction TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    PRIMARY KEY (crossing, date, direction, person_id)
);

CREATE TABLE luggage_rule_sets (
    crossing TEXT NOT NULL REFERENCES crossings (id),
    version BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    max_pieces BIGINT,
    max_weight_grams BIGINT,
    forbidden TEXT NOT NULL,
    max_medication_days BIGINT,
    max_cash_currency TEXT,
    max_cash_amount BIGINT,
    source TEXT NOT NULL,
    PRIMARY KEY (crossing, version)
);

CREATE TABLE luggage_declarations (
    person_id TEXT PRIMARY KEY REFERENCES persons (id),
    pieces BIGINT NOT NULL,
    weight_grams BIGINT NOT NULL,
    medication_days BIGINT NOT NULL,
    declared_at BIGINT NOT NULL,
    declared_by TEXT NOT NULL
);
-- Items and cash of a declaration, in the declared order. `kind` is
-- 'item' (category, description, quantity) or 'cash' (currency in
-- category, amount in quantity).
CREATE TABLE luggage_lines (
    person_id TEXT NOT NULL REFERENCES persons (id),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (person_id, position)
);
