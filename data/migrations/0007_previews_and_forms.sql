-- What a moderator has typed and not yet saved is kept here, not only in memory, so that a restart loses
-- nothing and every button or form acts once.

-- A preview of a change: the change itself, and what became of it. Its buttons name it by id, so they work
-- after a restart, and a press after the first is answered with what really happened. The state moves from
-- 'open' exactly once, in the transaction that saves the change (or cancels, or expires it).
CREATE TABLE previews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    pending     BLOB    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'saved', 'cancelled', 'expired', 'refused')),
    -- JSON: what happened (revision numbers, whether it was announced, why it was refused).
    outcome     TEXT,
    actor_id    INTEGER,
    actor_name  TEXT,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX previews_by_age ON previews (created_at);

-- A form a moderator opened: which entry, at which version, and what each field showed ("left as it was"
-- means exactly that). A submission names its form by id, so it is applied after a restart too; what was
-- submitted is kept, so a refused form can be opened again with the moderator's text in it.
CREATE TABLE forms (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    owner_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    part        TEXT    NOT NULL,
    status      TEXT,
    version     INTEGER NOT NULL,
    shown       TEXT    NOT NULL,
    typed       TEXT,
    created_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX forms_by_age ON forms (created_at);
