-- Activities the runner deleted. A re-import of the same file, export row or synced record (or
-- another recording of the same run) leaves them deleted; `activities undelete` lifts this.
CREATE TABLE deleted_activities (
    id            INTEGER PRIMARY KEY,
    activity_id   INTEGER NOT NULL,        -- the id it had
    sport         TEXT    NOT NULL,
    start_ts      INTEGER,
    utc_offset_s  INTEGER NOT NULL DEFAULT 0,
    distance_m    REAL    NOT NULL DEFAULT 0,
    name          TEXT,
    source_kind   TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    content_hash  TEXT,
    session_index INTEGER,
    external_id   TEXT,
    deleted_at    TEXT    NOT NULL
);
CREATE INDEX deleted_activities_start ON deleted_activities (start_ts);
CREATE INDEX deleted_activities_external ON deleted_activities (external_id);

-- 'KNEE': marks the file as kneeguard's, so that another application's database is recognised.
PRAGMA application_id = 1263420741;
