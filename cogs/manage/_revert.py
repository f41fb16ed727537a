"""/manage revert: what undoing a revision would change, field by field, and what else it would undo.

`plan_revert` is pure: from a revision, the server's entries now and the revisions made since, it says which
entries go back to what, which later revisions are undone with them, and whether the revision was already
undone. `revert_edit` reads those from the store, checks the would-be state with the same rules as every
other change, and makes the pending change the preview shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.errors import UserFacingError
from bot.i18n import ENGLISH, N_, Lang, Message
from bot.moderation_store import BATCH, Change, Revision, RevisionNote, StoredEntry
from bot.render import escape, truncate
from cogs.manage._edits import (
    PendingEdit,
    catalog_entries,
    check_changes,
    describe_update,
    label_of,
    with_spoiler_rules,
)

if TYPE_CHECKING:
    from bot.client import AoadBot

# Later revisions named in a preview, at most.
NAMED_LATER = 8


@dataclass(frozen=True)
class RevertPlan:
    changes: list[Change]
    # Revisions after this one that changed the same entries: undoing this one undoes what they did there.
    later: list[RevisionNote]
    # Revisions that already undid this one.
    undone_by: list[RevisionNote]


def plan_revert(
    found: Revision, current: Mapping[tuple[str, str], StoredEntry], since: Sequence[RevisionNote]
) -> RevertPlan:
    """Every entry the revision changed, back as it was before it (those already so are left out)."""
    parts = (
        [(part.kind, part.key, part.before) for part in found.changes]
        if found.kind == BATCH
        else [(found.kind, found.key, found.before)]
    )
    changes = []
    for kind, key, before in parts:
        stored = current.get((kind, key))
        now = stored.entry if stored is not None else None
        if now != before:
            changes.append(Change(kind, key, now, before, stored.version if stored is not None else None))
    undone_by = [note for note in since if note.reverts == found.id]
    later = [note for note in since if note.reverts != found.id]
    return RevertPlan(changes, later, undone_by)


def _named(notes: Sequence[RevisionNote]) -> str:
    shown = ", ".join(
        f"#{note.id} ({escape(truncate(note.author_name, 40))})" for note in notes[:NAMED_LATER]
    )
    if len(notes) > NAMED_LATER:
        shown += f", … (+{len(notes) - NAMED_LATER})"
    return shown


def plan_notes(found: Revision, plan: RevertPlan) -> list[Message]:
    notes: list[Message] = []
    if plan.undone_by:
        notes.append(
            Message.of(
                "⚠️ #{number} was already undone by {by}: reverting it again puts back what it did.",
                number=found.id,
                by=_named(plan.undone_by),
            )
        )
    if plan.later:
        notes.append(
            Message.of(
                "⚠️ This also undoes what later revisions changed in the same entries: {later}. Check them in "
                "`/manage history` first.",
                later=_named(plan.later),
            )
        )
    return notes


async def revert_edit(bot: AoadBot, guild_id: int, server: Lang, found: Revision) -> PendingEdit:
    """The change that undoes `found`, with everything the preview must say about it."""
    store = bot.store
    snapshot = await store.snapshot(guild_id)
    current = {(s.kind, s.key): s for s in snapshot.entries}
    touched = {(c.kind, c.key) for c in found.changes} if found.kind == BATCH else {(found.kind, found.key)}
    plan = plan_revert(found, current, await store.later_revisions(guild_id, found.id, touched))
    if not plan.changes:
        if plan.undone_by:
            raise UserFacingError(
                "Nothing to revert: #{number} was already undone by {by}, and its entries are still as they were "
                "before it.",
                number=found.id,
                by=_named(plan.undone_by),
            )
        raise UserFacingError(
            "Nothing to revert: every entry #{number} changed is already as it was before it.",
            number=found.id,
        )
    notes = plan_notes(found, plan)
    # Data saved before a spoiler rule existed comes back at the level the rule asks for.
    changes = [
        Change(
            c.kind, c.key, c.before, with_spoiler_rules(c.after, notes) if c.after else None, c.base_version
        )
        for c in plan.changes
    ]
    catalog = await store.catalog(guild_id)
    await check_changes(catalog_entries(catalog), changes)
    if found.kind == BATCH:
        # Quiet, never announced: the moderators' own words of the revision name it.
        summary = ENGLISH.t("Reverted: {summary}", summary=truncate(found.summary, 200))
        title = server.t("Reverted: {summary}", summary=truncate(found.summary, 200))
        notes.insert(
            0,
            Message.of(
                "**Preview.** This undoes revision #{number} whole, as one new revision. Nothing changes until you "
                "press **Apply**, and nothing is announced.",
                number=found.id,
            ),
        )
        return PendingEdit(
            guild_id,
            changes,
            title,
            "",
            announce_by_default=False,
            reverts=found.id,
            summary=summary,
            batch=True,
            expected_state=snapshot.state,
            quiet=True,
            notes=notes,
        )
    [change] = changes
    # Told afresh from the change itself, in the server's language, as any update is: the revision's own
    # summary may name what is a spoiler now (a recast character's name).
    names = {person.key: person.name for person in catalog.people}
    if change.after is not None and change.before is not None:
        title, body = describe_update(change.before, change.after, server, names, reverted=True)
        summary = describe_update(change.before, change.after, ENGLISH, names, reverted=True)[0]
    else:
        entry = change.after or change.before
        assert entry is not None
        back = N_("{name} is back.") if change.after is not None else N_("{name} is removed again.")
        title = server.t(
            "Reverted: {summary}", summary=server.t(back, name=truncate(label_of(entry, server), 200))
        )
        body = server.t(back, name=escape(label_of(entry, server)))
        summary = ENGLISH.t("Reverted: {summary}", summary=ENGLISH.t(back, name=label_of(entry, ENGLISH)))
    notes.insert(
        0,
        Message.of(
            "This restores {entry} as it was before revision #{number}.",
            entry=f"{found.kind}:{found.key}",
            number=found.id,
        ),
    )
    return PendingEdit(
        guild_id,
        changes,
        title,
        body,
        announce_by_default=False,
        reverts=found.id,
        summary=summary,
        notes=notes,
    )
