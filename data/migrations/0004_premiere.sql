-- The premiere: a server's choice of a Discord Scheduled Event and of reminder moments, the event it has,
-- and its reminders as rows (so a restart neither loses nor repeats one).

ALTER TABLE guild_settings ADD COLUMN premiere_event INTEGER NOT NULL DEFAULT 0 CHECK (premiere_event IN (0, 1));
-- Seconds before the release, comma-separated: 7 days, 1 day, and the release itself.
ALTER TABLE guild_settings ADD COLUMN reminder_offsets TEXT NOT NULL DEFAULT '604800,86400,0';

CREATE TABLE premiere_events (
    guild_id  INTEGER NOT NULL,
    season    INTEGER NOT NULL,
    event_id  INTEGER NOT NULL,
    release   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, season)
) STRICT;

-- One row per reminder of one release date: the same date and moment never fire twice, and a reminder of a
-- date that changed is cancelled, not sent.
CREATE TABLE reminders (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id       INTEGER NOT NULL,
    season         INTEGER NOT NULL,
    release        TEXT    NOT NULL,
    offset_seconds INTEGER NOT NULL,
    due_at         TEXT    NOT NULL,
    state          TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'cancelled', 'dropped')),
    outbox_id      INTEGER REFERENCES outbox (id),
    updated_at     TEXT    NOT NULL,
    UNIQUE (guild_id, season, release, offset_seconds)
) STRICT;
CREATE INDEX reminders_due ON reminders (state, due_at);
