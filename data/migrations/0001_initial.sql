-- Each server's own copy of the show data, seeded from the bundled pack the first time the bot serves it.

-- Small facts about the bot itself, such as the hash of the last command payload synced to each scope.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The servers the bot has seeded, and which pack digest each one was last brought up to date with.
CREATE TABLE guilds (
    guild_id    INTEGER PRIMARY KEY,
    pack_digest TEXT NOT NULL,
    seeded_at   TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

-- One row per entry (show, person, character, season, news item) per server, as canonical JSON.
-- origin_digest is the digest of the pack entry the row was last taken from: a row whose data still hashes
-- to it was not changed by the server's moderators, so a newer pack may replace it. A moderator's removal
-- leaves a tombstone (deleted = 1) so that a newer pack does not bring the entry back.
CREATE TABLE entries (
    guild_id      INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('show', 'person', 'character', 'season', 'news')),
    key           TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    origin_digest TEXT,
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (guild_id, kind, key)
) STRICT;
