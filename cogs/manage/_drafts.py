"""A preview as it is stored (`previews` table): the change it would save, entries as their canonical JSON,
and how it was shown; and what a later press is told once it was used."""

from __future__ import annotations

from typing import Any

import msgspec

from bot.drafts_store import StoredPreview
from bot.i18n import Lang
from bot.models import Entry
from bot.moderation_store import Change
from bot.pack import decode_entry, encode_entry
from bot.render import escape, truncate
from cogs.manage._edits import PendingEdit

_NULL = b"null"


class _StoredChange(msgspec.Struct, frozen=True):
    """A change as stored: the entries as their canonical JSON, embedded as they are (`null` for none)."""

    kind: str
    key: str
    before: msgspec.Raw
    after: msgspec.Raw
    base_version: int | None

    def entry(self, raw: msgspec.Raw) -> Entry | None:
        data = bytes(raw)
        return None if data == _NULL else decode_entry(self.kind, data)


class Shown(msgspec.Struct, frozen=True):
    """The preview message as the moderator saw it, in their language."""

    content: str
    embed: dict[str, Any]
    lang: str
    can_announce: bool


class Draft(msgspec.Struct, frozen=True):
    """A preview as stored: the change to save and how it was shown; and the fuller change it offers."""

    guild_id: int
    changes: list[_StoredChange]
    title: str
    body: str
    summary: str
    announce_by_default: bool
    reverts: int | None
    batch: bool
    expected_state: str | None
    quiet: bool
    shown: Shown
    offer: Draft | None = None
    offer_label: str | None = None

    def pending(self) -> PendingEdit:
        return PendingEdit(
            guild_id=self.guild_id,
            changes=[
                Change(c.kind, c.key, c.entry(c.before), c.entry(c.after), c.base_version)
                for c in self.changes
            ],
            title=self.title,
            body=self.body,
            announce_by_default=self.announce_by_default,
            reverts=self.reverts,
            summary=self.summary,
            batch=self.batch,
            expected_state=self.expected_state,
            quiet=self.quiet,
        )


def draft_of(
    pending: PendingEdit, shown: Shown, offer: Draft | None = None, offer_label: str | None = None
) -> Draft:
    return Draft(
        guild_id=pending.guild_id,
        changes=[
            _StoredChange(
                c.kind,
                c.key,
                msgspec.Raw(encode_entry(c.before) if c.before is not None else _NULL),
                msgspec.Raw(encode_entry(c.after) if c.after is not None else _NULL),
                c.base_version,
            )
            for c in pending.changes
        ],
        title=pending.title,
        body=pending.body,
        summary=pending.summary,
        announce_by_default=pending.announce_by_default,
        reverts=pending.reverts,
        batch=pending.batch,
        expected_state=pending.expected_state,
        quiet=pending.quiet,
        shown=shown,
        offer=offer,
        offer_label=offer_label,
    )


def encode_draft(draft: Draft) -> bytes:
    return msgspec.json.encode(draft)


def decode_draft(data: bytes) -> Draft:
    return msgspec.json.decode(data, type=Draft)


def what_happened(stored: StoredPreview | None, lang: Lang, _shown_lang: str) -> str:
    if stored is None:
        return lang.t("This preview is gone: run the command again.")
    who = escape(truncate(stored.actor_name or "?", 60))
    outcome = stored.outcome or {}
    if stored.state == "saved":
        revisions = outcome.get("revisions", [])
        numbers = ", ".join(f"#{n}" for n in revisions)
        if outcome.get("announced"):
            return lang.n(
                "Already saved as revision {numbers} by {who}, and announced.",
                "Already saved as revisions {numbers} by {who}, and announced.",
                len(revisions),
                numbers=numbers,
                who=who,
            )
        return lang.n(
            "Already saved as revision {numbers} by {who}.",
            "Already saved as revisions {numbers} by {who}.",
            len(revisions),
            numbers=numbers,
            who=who,
        )
    if stored.state == "cancelled":
        return lang.t("Already cancelled by {who}: nothing was changed.", who=who)
    if stored.state == "refused" and outcome.get("rules"):
        return lang.t(
            "This preview was refused when {who} pressed it: with what another moderator saved meanwhile, it "
            "would break a rule about the data. Nothing was saved. Run the command again.",
            who=who,
        )
    if stored.state == "refused":
        return lang.t(
            "This preview was refused when {who} pressed it: the data had changed meanwhile, so nothing was saved. "
            "Run the command again.",
            who=who,
        )
    return lang.t("This preview expired: nothing was changed. Run the command again.")
