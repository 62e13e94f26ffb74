-- Activities and the files they came from.
CREATE TABLE activities (
    id                INTEGER PRIMARY KEY,
    sport             TEXT    NOT NULL,
    sport_label       TEXT,
    start_ts          INTEGER,              -- UTC, seconds since the epoch; NULL when unknown
    utc_offset_s      INTEGER NOT NULL DEFAULT 0,
    distance_m        REAL    NOT NULL DEFAULT 0,
    moving_s          REAL    NOT NULL DEFAULT 0,
    elapsed_s         REAL    NOT NULL DEFAULT 0,
    ascent_m          REAL,
    descent_m         REAL,                 -- kneeguard's own figure, or the runner's
    descent_estimated INTEGER NOT NULL DEFAULT 0,
    device_distance_m REAL,
    device_timer_s    REAL,
    device_ascent_m   REAL,
    device_descent_m  REAL,
    name              TEXT,
    note              TEXT,
    device            TEXT,
    source_kind       TEXT    NOT NULL,     -- file | manual | strava | intervals
    source            TEXT    NOT NULL,     -- the path as given, or the API id
    content_hash      TEXT,                 -- BLAKE3 of the file's (decompressed) bytes
    session_index     INTEGER,              -- which session of a multi-session file
    external_id       TEXT,                 -- e.g. strava:15000000003
    raw_json          TEXT,
    series            BLOB,                 -- see db/series.rs
    created_at        TEXT    NOT NULL
);
CREATE INDEX activities_start ON activities (start_ts);
CREATE UNIQUE INDEX activities_file_session
    ON activities (content_hash, session_index) WHERE content_hash IS NOT NULL;
CREATE UNIQUE INDEX activities_external
    ON activities (external_id) WHERE external_id IS NOT NULL;

-- Every file content ever seen, so that a re-import is recognised before parsing.
CREATE TABLE imported_files (
    content_hash  TEXT PRIMARY KEY,
    path          TEXT NOT NULL,
    outcome       TEXT NOT NULL,   -- imported | duplicate | not_activity
    detail        TEXT,
    activity_id   INTEGER,         -- the activity it is (a duplicate of)
    imported_at   TEXT NOT NULL
);
