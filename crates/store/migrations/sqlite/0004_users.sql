-- People who use corridor: accounts, their sessions in the web application,
-- API tokens for integrations, and break-the-glass grants.

CREATE TABLE users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    scope TEXT NOT NULL,
    -- The referring facility a referrer works for; scopes "organisation".
    organisation TEXT,
    -- Argon2id in PHC string format; never a plain password.
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Failed sign-ins since the last success, and until when (microseconds)
    -- the next attempt is refused: each failure past the third doubles it.
    failed_sign_ins BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

CREATE TABLE web_sessions (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    -- SHA-256 of the token; the token itself is shown once, when created.
    token_hash TEXT NOT NULL UNIQUE,
    username TEXT NOT NULL REFERENCES users (username),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- Access to one person's record outside the user's scope, with the reason
-- given; the grant itself is also in the audit log.
CREATE TABLE break_glass_grants (
    username TEXT NOT NULL REFERENCES users (username),
    person_id TEXT NOT NULL REFERENCES persons (id),
    reason TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX break_glass_by_user ON break_glass_grants (username, person_id);
