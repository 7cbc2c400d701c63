-- Coded reasons: why a person was denied, delayed, turned back, did not
-- come, was taken off a plan or left the list. The codes are data; what
-- leaves the system (reports, HXL, FHIR, pseudonymised exports) carries the
-- code and its label, never the note, which stays with the person's record.

-- `code` is a stable identifier (translations are found by it); `label` is
-- English; a code no longer `in_use` (0) still reads but is not offered.
-- Every kind has `other`, which needs a note saying what.
CREATE TABLE reason_codes (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    in_use BIGINT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (kind, code)
);

INSERT INTO reason_codes (kind, code, label, in_use, position) VALUES
    ('denied', 'security-objection', 'Security objection by the clearing authority', 1, 1),
    ('denied', 'no-reason-given', 'Denied without a reason given', 1, 2),
    ('denied', 'documents-incomplete', 'Documents incomplete or not accepted', 1, 3),
    ('denied', 'identity-not-verified', 'Identity could not be verified', 1, 4),
    ('denied', 'companion-not-approved', 'Companion not approved', 1, 5),
    ('denied', 'other', 'Other (see note)', 1, 99),
    ('delayed', 'no-answer', 'No answer by the date needed', 1, 1),
    ('delayed', 'more-information-requested', 'The authority asked for more information', 1, 2),
    ('delayed', 'further-security-review', 'Sent for further security review', 1, 3),
    ('delayed', 'other', 'Other (see note)', 1, 99),
    ('turned-back', 'refused-at-crossing', 'Refused at the crossing', 1, 1),
    ('turned-back', 'companion-refused', 'Companion refused at the crossing', 1, 2),
    ('turned-back', 'documents-not-accepted', 'Documents not accepted at the crossing', 1, 3),
    ('turned-back', 'luggage-not-allowed', 'Luggage breaks the rules in force', 1, 4),
    ('turned-back', 'too-ill-to-travel', 'Too ill to travel on the day', 1, 5),
    ('turned-back', 'crossing-closed', 'Crossing closed during the day', 1, 6),
    ('turned-back', 'other', 'Other (see note)', 1, 99),
    ('no-show', 'not-known', 'Reason not known', 1, 1),
    ('no-show', 'not-reached', 'Could not be reached in time', 1, 2),
    ('no-show', 'did-not-reach-assembly-point', 'Did not reach the assembly point', 1, 3),
    ('no-show', 'too-ill-to-travel', 'Too ill to travel on the day', 1, 4),
    ('no-show', 'chose-not-to-travel', 'Chose not to travel that day', 1, 5),
    ('no-show', 'other', 'Other (see note)', 1, 99),
    ('unscheduled', 'patient-not-travelling', 'The patient they travel with is no longer on the manifest', 1, 1),
    ('unscheduled', 'bed-no-longer-available', 'Receiving bed no longer available', 1, 2),
    ('unscheduled', 'too-ill-to-travel', 'Too ill to travel on the day', 1, 3),
    ('unscheduled', 'crossing-closed', 'Crossing closed that day', 1, 4),
    ('unscheduled', 'removed-by-coordinator', 'Removed from the day''s plan by the coordinator', 1, 5),
    ('unscheduled', 'other', 'Other (see note)', 1, 99),
    ('withdrawn', 'chose-treatment-elsewhere', 'Chose treatment elsewhere', 1, 1),
    ('withdrawn', 'no-longer-needed', 'Treatment abroad no longer needed', 1, 2),
    ('withdrawn', 'declined-evacuation', 'The patient or family declined evacuation', 1, 3),
    ('withdrawn', 'lost-contact', 'Could not be contacted', 1, 4),
    ('withdrawn', 'referral-cancelled', 'Referral cancelled by the referring facility', 1, 5),
    ('withdrawn', 'duplicate-referral', 'Duplicate referral', 1, 6),
    ('withdrawn', 'patient-died', 'The patient they travel with died', 1, 7),
    ('withdrawn', 'patient-withdrawn', 'The patient they travel with left the list', 1, 8),
    ('withdrawn', 'other', 'Other (see note)', 1, 99),
    ('reinstated', 'death-recorded-in-error', 'Death recorded in error', 1, 1),
    ('reinstated', 'withdrawal-recorded-in-error', 'Withdrawal recorded in error', 1, 2),
    ('reinstated', 'wrong-person', 'Recorded against the wrong person', 1, 3),
    ('reinstated', 'other', 'Other (see note)', 1, 99);

-- The history is append-only: rows written before this migration keep
-- their free-text `reason` and are read as code `other` with that text as
-- the note. New rows leave `reason` empty and fill these columns.
ALTER TABLE status_events ADD COLUMN reason_kind TEXT;
ALTER TABLE status_events ADD COLUMN reason_code TEXT;
ALTER TABLE status_events ADD COLUMN reason_note TEXT;
-- Counting denials by code walks this index alone.
CREATE INDEX status_events_by_reason ON status_events (action, at, reason_code);

ALTER TABLE clearance_requests ADD COLUMN reason_code TEXT;
ALTER TABLE clearance_requests ADD COLUMN reason_note TEXT;

ALTER TABLE manifest_entries ADD COLUMN outcome_reason_kind TEXT;
ALTER TABLE manifest_entries ADD COLUMN outcome_reason_code TEXT;
ALTER TABLE manifest_entries ADD COLUMN outcome_reason_note TEXT;
