-- The runner confirmed that a record which looked implausible (core::plausibility) is real, so
-- the estimates use it again.
ALTER TABLE activities ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
