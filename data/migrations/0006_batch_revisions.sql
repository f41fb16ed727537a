-- A revision may change many entries at once (an import, or undoing one), and is then undone as a whole.
-- Such a revision has kind 'batch' and no before/after of its own: its entries' changes are rows here.
CREATE TABLE revision_changes (
    revision_id INTEGER NOT NULL REFERENCES revisions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    before      TEXT,
    after       TEXT,
    PRIMARY KEY (revision_id, position)
) STRICT;
CREATE INDEX revision_changes_by_entry ON revision_changes (guild_id, kind, key, revision_id);
