-- The local calendar day of each activity, indexed: listing the activities of a few days (an
-- `activities --since`, the runs of one day) reads those rows only, not the whole history.
-- The expression is the one the store's queries filter on (src/db/mod.rs).
CREATE INDEX activities_local_date ON activities (date(start_ts + utc_offset_s, 'unixepoch'));
