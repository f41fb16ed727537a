-- How far each fan has watched, set with /spoilers. Kept per user, across servers: it is about the fan.
CREATE TABLE fans (
    user_id       INTEGER PRIMARY KEY,
    spoiler_level TEXT    NOT NULL CHECK (spoiler_level IN ('none', 's1', 's2')),
    updated_at    TEXT    NOT NULL
) STRICT;

-- Entries keep the pack's order (main characters first); entries added later go after the pack's.
ALTER TABLE entries ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
