-- The receiving facility a coordinator chose for a patient they put on a
-- day's plan; NULL lets the planner place them as it places anyone.
ALTER TABLE plan_overrides ADD COLUMN facility TEXT;
