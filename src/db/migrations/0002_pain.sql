-- The runner's knee-pain log (0-10, DOMAIN.md §5).
CREATE TABLE pain (
    id            INTEGER PRIMARY KEY,
    at_ts         INTEGER NOT NULL,          -- when it was felt or logged, UTC seconds
    utc_offset_s  INTEGER NOT NULL,
    date          TEXT    NOT NULL,          -- the local day it is about, YYYY-MM-DD
    score         INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    when_felt     TEXT    NOT NULL CHECK (when_felt IN ('during', 'after', 'morning', 'daily')),
    side          TEXT    CHECK (side IN ('left', 'right', 'both')),
    swelling      INTEGER NOT NULL DEFAULT 0,
    note          TEXT,
    activity_id   INTEGER REFERENCES activities (id) ON DELETE SET NULL,
    created_at    TEXT    NOT NULL
);
CREATE INDEX pain_date ON pain (date);
