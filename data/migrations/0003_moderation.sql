-- Moderation: each server's settings, the revision history of its data, and the announcement outbox.

CREATE TABLE guild_settings (
    guild_id             INTEGER PRIMARY KEY,
    announce_channel_id  INTEGER,
    ping_role_id         INTEGER,
    moderator_role_id    INTEGER,
    modlog_channel_id    INTEGER,
    threads              INTEGER NOT NULL DEFAULT 0 CHECK (threads IN (0, 1)),
    auto_publish         INTEGER NOT NULL DEFAULT 0 CHECK (auto_publish IN (0, 1)),
    updated_at           TEXT    NOT NULL
) STRICT;

-- Every change to a server's data: who, when, which entry, the whole entry before and after (JSON; NULL
-- where it did not exist or was removed). A revert is a revision too, naming the one it undid.
CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL REFERENCES guilds (guild_id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    before      TEXT,
    after       TEXT,
    summary     TEXT    NOT NULL,
    author_id   INTEGER NOT NULL,
    author_name TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    reverts     INTEGER REFERENCES revisions (id)
) STRICT;
CREATE INDEX revisions_by_guild ON revisions (guild_id, id);
CREATE INDEX revisions_by_entry ON revisions (guild_id, kind, key, id);

-- The outbox: a message to deliver, written in the same transaction as the change it announces, and
-- delivered exactly once by the background deliverer, which records each step before and after it.
-- state: pending (nothing sent yet) → posting (a POST may have reached Discord) → posted (message_id known)
-- → done; or failed (the channel refused: 403/404, not retried until the channel is set up again).
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id        INTEGER NOT NULL,
    revision_id     INTEGER REFERENCES revisions (id),
    purpose         TEXT    NOT NULL CHECK (purpose IN ('announcement', 'modlog', 'reminder')),
    channel_id      INTEGER NOT NULL,
    payload         TEXT    NOT NULL,
    nonce           TEXT    NOT NULL UNIQUE,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'posting', 'posted', 'done', 'failed')),
    message_id      INTEGER,
    thread_done     INTEGER NOT NULL DEFAULT 0,
    publish_done    INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    error           TEXT,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL
) STRICT;
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Channels that answered 403 or 404: not called again until a moderator sets them up again.
CREATE TABLE failing_channels (
    channel_id  INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    since       TEXT    NOT NULL
) STRICT;

-- When each channel last published (crossposted): Discord allows about 10 an hour per channel.
CREATE TABLE publishes (
    channel_id   INTEGER NOT NULL,
    published_at TEXT    NOT NULL
) STRICT;
CREATE INDEX publishes_by_channel ON publishes (channel_id, published_at);
