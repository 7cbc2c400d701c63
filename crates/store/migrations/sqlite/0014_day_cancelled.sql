-- A confirmed crossing day can be cancelled (issue 14): the crossing did
-- not open. The manifest stays, for the record and the utilisation of the
-- day; every party still expected is taken off (an amendment) and told.
ALTER TABLE manifests ADD COLUMN cancelled_at BIGINT;
ALTER TABLE manifests ADD COLUMN cancelled_by TEXT;
ALTER TABLE manifests ADD COLUMN cancel_reason TEXT;
