-- The notices outbox (issue 14): what each party is told, written in the
-- same transaction as the event that causes it, then sent by the server's
-- sender with retries. `idempotency_key` names the event (kind, person and
-- the day or batch): one event never makes two notices, and the gateway
-- receives the key to drop a second delivery. `recipient` and `body` are
-- personal data, shown only to the roles that see names.
CREATE TABLE notices (
    id BIGINT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    person TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    -- The channel that took it (set when a sender claims it).
    channel TEXT,
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    gateway_id TEXT,
    crossing TEXT,
    date TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX notices_due ON notices (state, next_attempt_at);
CREATE INDEX notices_by_date ON notices (date);
CREATE INDEX notices_by_person ON notices (person);
CREATE INDEX notices_by_gateway_id ON notices (gateway_id);

-- Bound to the audit chain like every data table (see 0007).
CREATE TRIGGER notices_written_insert AFTER INSERT ON notices BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('notices', NEW.id);
END;
CREATE TRIGGER notices_written_update AFTER UPDATE ON notices BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('notices', NEW.id);
    INSERT INTO audit_pending (tbl, k1) SELECT 'notices', OLD.id WHERE OLD.id IS NOT NEW.id;
END;
CREATE TRIGGER notices_written_delete AFTER DELETE ON notices BEGIN
    INSERT INTO audit_pending (tbl, k1) VALUES ('notices', OLD.id);
END;
