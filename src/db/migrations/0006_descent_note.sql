-- Why a synced run's descent stays estimated: the service had no altitude for it (a run deleted
-- on Strava answers 404). A sync never asks again for a run with a note.
ALTER TABLE activities ADD COLUMN descent_note TEXT;
