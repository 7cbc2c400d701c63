-- Organisations as data, sign-in throttling apart from the accounts, user
-- names unique without regard to case, and sessions that know their account.

-- The referring facilities, receiving agencies and the coordination cell.
-- users.organisation and persons.referring_facility hold an organisation's id.
CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    -- referring-facility, receiving-agency or coordination-cell.
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX organisations_by_name ON organisations (LOWER(name));

-- Until now both columns held free-text names. Each name in use (spelt
-- alike but for case and surrounding blanks) becomes an organisation, and
-- the columns take its id, so that nobody sees less after the upgrade.
INSERT INTO organisations (id, name, kind, created_at)
SELECT 'org-' || ROW_NUMBER() OVER (ORDER BY folded), name, 'referring-facility', 0
FROM (
    SELECT LOWER(TRIM(name)) AS folded, MIN(TRIM(name)) AS name
    FROM (
        SELECT organisation AS name FROM users
        WHERE organisation IS NOT NULL AND TRIM(organisation) <> ''
        UNION ALL
        SELECT referring_facility AS name FROM persons
        WHERE referring_facility IS NOT NULL AND TRIM(referring_facility) <> ''
    ) AS used
    GROUP BY LOWER(TRIM(name))
) AS distinct_names;

UPDATE persons SET referring_facility = (
    SELECT o.id FROM organisations o
    WHERE LOWER(o.name) = LOWER(TRIM(persons.referring_facility))
) WHERE referring_facility IS NOT NULL;

UPDATE users SET organisation = (
    SELECT o.id FROM organisations o
    WHERE LOWER(o.name) = LOWER(TRIM(users.organisation))
) WHERE organisation IS NOT NULL;

-- `COORD` cannot sit beside `coord`.
CREATE UNIQUE INDEX users_by_folded_name ON users (LOWER(username));

-- Failed sign-ins, keyed by the lower-cased name as typed (known or not),
-- so that a guess at an unknown name is throttled like one at a known
-- name, and a failed sign-in does not rewrite the account's row.
CREATE TABLE sign_in_throttle (
    name TEXT PRIMARY KEY,
    -- Attempts since the last success, each counted before its password
    -- is checked.
    failures BIGINT NOT NULL,
    -- Until when (microseconds) the next attempt is refused unchecked.
    locked_until BIGINT NOT NULL
);
INSERT INTO sign_in_throttle (name, failures, locked_until)
SELECT LOWER(username), failed_sign_ins, locked_until FROM users
WHERE failed_sign_ins > 0 OR locked_until > 0;
-- When the password was last set (microseconds): the admin sees it. Added
-- before the drops below, so that SQLite never drops the last column of a
-- table whose definition has comments (it cannot rewrite that definition).
ALTER TABLE users ADD COLUMN password_set_at BIGINT NOT NULL DEFAULT 0;
UPDATE users SET password_set_at = created_at;
ALTER TABLE users DROP COLUMN failed_sign_ins;
ALTER TABLE users DROP COLUMN locked_until;

-- A session names its account, so that a password reset, a role change or
-- disabling the account ends its sessions. Sessions from before the
-- upgrade do not name one: they end, and their users sign in again.
DELETE FROM web_sessions;
ALTER TABLE web_sessions ADD COLUMN username TEXT;
CREATE INDEX web_sessions_by_user ON web_sessions (username);
