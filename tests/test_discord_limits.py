"""The limit checker itself: it passes what Discord accepts and names every limit a hand-built payload breaks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tests.discord_limits import check_mentions, check_request, check_requests
from tests.fakediscord import RecordedRequest, StoredMessage

NONE: dict[str, list[str]] = {"parse": []}
TOKEN = "aW50ZXJhY3Rpb246secret-token-value"


def request(method: str, route: str, body: Any, **params: str) -> RecordedRequest:
    path = route
    for name, value in params.items():
        path = path.replace("{" + name + "}", value)
    return RecordedRequest(
        method=method,
        path=path,
        route=route,
        params=params,
        query={},
        json=body,
        form={},
        uploads=[],
        headers={},
    )


def channel_post(body: Any) -> RecordedRequest:
    return request("POST", "/channels/{channel_id}/messages", body, channel_id="10")


def callback(body: Any) -> RecordedRequest:
    return request(
        "POST",
        "/interactions/{webhook_id}/{webhook_token}/callback",
        body,
        webhook_id="5",
        webhook_token=TOKEN,
    )


def message() -> dict[str, Any]:
    """A message Discord accepts, near several limits but inside all of them."""
    return {
        "content": "x" * 2000,
        "embeds": [
            {
                "title": "t" * 256,
                "description": "d" * 1000,
                "fields": [{"name": "n" * 10, "value": "v" * 1024, "inline": False}] * 4,
                "footer": {"text": "f" * 100},
                "author": {"name": "a" * 50},
            }
        ],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "style": 2, "label": "L" * 80, "custom_id": "c" * 100},
                    {"type": 2, "style": 5, "label": "Open", "url": "https://e.x"},
                ],
            },
            {
                "type": 1,
                "components": [
                    {
                        "type": 3,
                        "custom_id": "pick",
                        "options": [{"label": f"o{i}", "value": str(i)} for i in range(25)],
                    }
                ],
            },
        ],
        "nonce": "n" * 25,
        "allowed_mentions": NONE,
    }


def modal() -> dict[str, Any]:
    return {
        "type": 9,
        "data": {
            "custom_id": "form",
            "title": "T" * 45,
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 4,
                            "custom_id": f"f{i}",
                            "label": "L" * 45,
                            "style": 2,
                            "placeholder": "p" * 100,
                            "value": "v" * 1000,
                            "max_length": 1000,
                        }
                    ],
                }
                for i in range(5)
            ],
        },
    }


def autocomplete(choices: list[dict[str, Any]]) -> RecordedRequest:
    return callback({"type": 8, "data": {"choices": choices}})


def test_what_discord_accepts_passes() -> None:
    requests = [
        channel_post(message()),
        callback({"type": 4, "data": message()}),
        callback({"type": 7, "data": {"content": "", "embeds": [], "allowed_mentions": NONE}}),
        callback({"type": 5, "data": {"flags": 64}}),
        callback({"type": 6}),
        callback(modal()),
        autocomplete([{"name": "n" * 100, "value": "v" * 100}] * 25),
        request(
            "POST",
            "/webhooks/{webhook_id}/{webhook_token}",
            message(),
            webhook_id="5",
            webhook_token=TOKEN,
        ),
        request(
            "PATCH",
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
            {"components": [], "allowed_mentions": NONE},
            webhook_id="5",
            webhook_token=TOKEN,
        ),
        request(
            "POST",
            "/channels/{channel_id}/messages/{message_id}/threads",
            {"name": "n" * 100},
            channel_id="1",
            message_id="2",
        ),
        request(
            "POST",
            "/guilds/{guild_id}/scheduled-events",
            {"name": "e" * 100, "description": "d" * 1000, "entity_metadata": {"location": "Netflix"}},
            guild_id="1",
        ),
        request(
            "PATCH",
            "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
            {"status": 4},
            guild_id="1",
            guild_scheduled_event_id="2",
        ),
        channel_post({"content": "<@&77>", "allowed_mentions": {"parse": [], "roles": [77]}}),
        request("GET", "/channels/{channel_id}/messages", None, channel_id="1"),
    ]
    assert check_requests(requests, ping_roles=[77]) == []


def _changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    body = copy.deepcopy(message())
    change(body)
    return body


def _embed(body: dict[str, Any]) -> dict[str, Any]:
    embed: dict[str, Any] = body["embeds"][0]
    return embed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(content="x" * 2001), "content is 2001 characters (limit 2000)"),
        (lambda b: b.update(embeds=[{"title": "t"}] * 11), "embeds has 11 items (limit 10)"),
        (lambda b: _embed(b).update(title="t" * 257), "embeds[0].title is 257 characters (limit 256)"),
        (
            lambda b: b.update(embeds=[{"description": "d" * 4097}]),
            "embeds[0].description is 4097 characters",
        ),
        (
            lambda b: _embed(b).update(fields=[{"name": "n", "value": "v"}] * 26),
            "embeds[0].fields has 26 items (limit 25)",
        ),
        (
            lambda b: _embed(b).update(fields=[{"name": "n" * 257, "value": "v"}]),
            "embeds[0].fields[0].name is 257 characters (must be 1–256)",
        ),
        (
            lambda b: _embed(b).update(fields=[{"name": "n", "value": "v" * 1025}]),
            "embeds[0].fields[0].value is 1025 characters (must be 1–1024)",
        ),
        (
            lambda b: _embed(b).update(fields=[{"name": "n", "value": ""}]),
            "embeds[0].fields[0].value is 0 characters (must be 1–1024)",
        ),
        (
            lambda b: b.update(embeds=[{"footer": {"text": "f" * 2049}}]),
            "embeds[0].footer.text is 2049 characters",
        ),
        (lambda b: _embed(b).update(author={"name": "a" * 257}), "embeds[0].author.name is 257 characters"),
        (
            # Each part within its own limit, but 4,096 + 2 × 1,024 descriptions… together over 6,000.
            lambda b: b.update(
                embeds=[
                    {"description": "d" * 4000},
                    {"description": "d" * 1500, "title": "t" * 256, "footer": {"text": "f" * 245}},
                ]
            ),
            "embeds hold 6001 characters together (limit 6000)",
        ),
        (
            lambda b: b.update(
                components=[{"type": 1, "components": [{"type": 2, "label": "x", "custom_id": "a"}]}] * 6
            ),
            "components has 6 items (limit 5)",
        ),
        (
            lambda b: b["components"][0].update(
                components=[{"type": 2, "label": "x", "custom_id": str(i)} for i in range(6)]
            ),
            "components[0].components has 6 items (must be 1–5)",
        ),
        (
            lambda b: b["components"][0]["components"][0].update(label="L" * 81),
            "components[0].components[0].label is 81 characters (limit 80)",
        ),
        (
            lambda b: b["components"][0]["components"][0].update(custom_id="c" * 101),
            "components[0].components[0].custom_id is 101 characters (limit 100)",
        ),
        (
            lambda b: b["components"][1]["components"][0]["options"].append({"label": "x", "value": "y"}),
            "components[1].components[0].options has 26 items (limit 25)",
        ),
        (
            lambda b: b.update(components=[{"type": 2, "label": "x", "custom_id": "a"}]),
            "components[0].type is 2: top-level components must be action rows",
        ),
        (lambda b: b.update(nonce="n" * 26), "nonce is 26 characters (limit 25)"),
        (lambda b: b.pop("allowed_mentions"), "allowed_mentions is missing"),
        (lambda b: b.update(allowed_mentions={"parse": ["everyone"]}), "allowed_mentions parses 'everyone'"),
        (lambda b: b.update(allowed_mentions={"parse": ["users"]}), "allowed_mentions parses 'users'"),
        (lambda b: b.update(allowed_mentions={"parse": ["roles"]}), "allowed_mentions parses 'roles'"),
        (
            lambda b: b.update(allowed_mentions={"parse": [], "users": [5]}),
            "allowed_mentions allows users [5]",
        ),
        (
            lambda b: b.update(allowed_mentions={"parse": [], "roles": [78]}),
            "allowed_mentions allows roles [78] besides the opt-in role",
        ),
        (
            lambda b: b.update(allowed_mentions={"parse": [], "replied_user": True}),
            "allowed_mentions allows the replied-to user",
        ),
    ],
)
def test_every_message_limit_is_caught_in_every_kind_of_message_request(
    change: Callable[[dict[str, Any]], None], field: str
) -> None:
    body = _changed(change)
    token_route = "/webhooks/{webhook_id}/{webhook_token}"
    carriers = {
        "POST /channels/10/messages": (channel_post(body), ""),
        "PATCH /channels/10/messages/3": (
            request(
                "PATCH", "/channels/{channel_id}/messages/{message_id}", body, channel_id="10", message_id="3"
            ),
            "",
        ),
        "callback 4": (callback({"type": 4, "data": body}), "data."),
        "callback 7": (callback({"type": 7, "data": body}), "data."),
        "follow-up": (request("POST", token_route, body, webhook_id="5", webhook_token=TOKEN), ""),
        "@original edit": (
            request("PATCH", token_route + "/messages/@original", body, webhook_id="5", webhook_token=TOKEN),
            "",
        ),
        "follow-up edit": (
            request(
                "PATCH",
                token_route + "/messages/{message_id}",
                body,
                webhook_id="5",
                webhook_token=TOKEN,
                message_id="9",
            ),
            "",
        ),
    }
    for name, (recorded, prefix) in carriers.items():
        found = check_request(recorded, ping_roles=[77])
        assert len(found) == 1, (name, found)
        assert f": {prefix}{field}" in found[0], (name, found)
        assert TOKEN not in found[0]  # interaction tokens are shortened, not printed whole


def test_the_opt_in_role_may_be_pinged_only_by_a_message_posted_in_a_channel() -> None:
    pinging = {"content": "<@&77>", "allowed_mentions": {"parse": [], "roles": [77]}}
    assert check_request(channel_post(pinging), ping_roles=[77]) == []
    [found] = check_request(callback({"type": 4, "data": pinging}), ping_roles=[77])
    assert found.endswith("data.allowed_mentions allows roles [77] besides the opt-in role")
    followup = request(
        "POST", "/webhooks/{webhook_id}/{webhook_token}", pinging, webhook_id="5", webhook_token=TOKEN
    )
    [found] = check_request(followup, ping_roles=[77])
    assert found.endswith(": allowed_mentions allows roles [77] besides the opt-in role")


def test_an_empty_new_message_is_caught_but_an_edit_may_clear_everything() -> None:
    [found] = check_request(channel_post({"content": "", "allowed_mentions": NONE}))
    assert found == "POST /channels/10/messages: message is empty (Discord refuses it: 50006)"
    edit = request(
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        {"content": "", "allowed_mentions": NONE},
        channel_id="10",
        message_id="3",
    )
    assert check_request(edit) == []


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ([{"name": "n", "value": "v"}] * 26, "data.choices has 26 items (limit 25)"),
        ([{"name": "", "value": "v"}], "data.choices[0].name is 0 characters (must be 1–100)"),
        ([{"name": "n" * 101, "value": "v"}], "data.choices[0].name is 101 characters (must be 1–100)"),
        ([{"name": "n", "value": "v" * 101}], "data.choices[0].value is 101 characters (limit 100)"),
    ],
)
def test_autocomplete_limits_are_caught(choices: list[dict[str, Any]], field: str) -> None:
    [found] = check_request(autocomplete(choices))
    assert found.endswith(field)


def _text_input(body: dict[str, Any]) -> dict[str, Any]:
    component: dict[str, Any] = body["data"]["components"][0]["components"][0]
    return component


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m["data"].update(title="T" * 46), "data.title is 46 characters (must be 1–45)"),
        (lambda m: m["data"]["components"].append(m["data"]["components"][0]), "data.components has 6 items"),
        (
            lambda m: _text_input(m).update(label="L" * 46),
            "components[0].label is 46 characters (must be 1–45)",
        ),
        (
            lambda m: _text_input(m).update(placeholder="p" * 101),
            "components[0].placeholder is 101 characters",
        ),
        (
            lambda m: _text_input(m).update(value="v" * 4001, max_length=None),
            "components[0].value is 4001 characters (limit 4000)",
        ),
        (
            lambda m: _text_input(m).update(value="v" * 1001),
            "components[0].value is 1001 characters, over the field's max_length 1000",
        ),
        (
            lambda m: _text_input(m).update(max_length=4001),
            "components[0].max_length is 4001 (must be 0–4000)",
        ),
        (
            lambda m: m["data"]["components"].__setitem__(
                0, {"type": 18, "label": "L" * 46, "component": {"type": 4, "custom_id": "x", "style": 1}}
            ),
            "data.components[0].label is 46 characters (must be 1–45)",
        ),
    ],
)
def test_modal_limits_are_caught(change: Callable[[dict[str, Any]], None], field: str) -> None:
    body = modal()
    change(body)
    [found] = check_request(callback(body))
    assert field in found


def test_thread_and_scheduled_event_limits_are_caught() -> None:
    thread = request(
        "POST",
        "/channels/{channel_id}/messages/{message_id}/threads",
        {"name": "n" * 101},
        channel_id="1",
        message_id="2",
    )
    assert check_request(thread) == [
        "POST /channels/1/messages/2/threads: name is 101 characters (must be 1–100)"
    ]
    created = request(
        "POST",
        "/guilds/{guild_id}/scheduled-events",
        {"name": "", "description": "d" * 1001, "entity_metadata": {"location": "l" * 101}},
        guild_id="1",
    )
    assert check_request(created) == [
        "POST /guilds/1/scheduled-events: name is 0 characters (must be 1–100)",
        "POST /guilds/1/scheduled-events: description is 1001 characters (limit 1000)",
        "POST /guilds/1/scheduled-events: entity_metadata.location is 101 characters (limit 100)",
    ]
    moved = request(
        "PATCH",
        "/guilds/{guild_id}/scheduled-events/{guild_scheduled_event_id}",
        {"name": "n" * 101},
        guild_id="1",
        guild_scheduled_event_id="2",
    )
    assert check_request(moved) == [
        "PATCH /guilds/1/scheduled-events/2: name is 101 characters (must be 1–100)"
    ]


def test_stored_messages_may_ping_only_the_opt_in_role() -> None:
    def stored(**data: Any) -> StoredMessage:
        return StoredMessage(
            data={
                "id": "1",
                "channel_id": "2",
                "mention_everyone": False,
                "mention_roles": [],
                "mentions": [],
            }
            | data
        )

    assert check_mentions([stored(mention_roles=["77"])], ping_roles=[77]) == []
    assert check_mentions(
        [stored(mention_everyone=True), stored(mentions=[{"id": "5"}]), stored(mention_roles=["78"])],
        ping_roles=[77],
    ) == [
        "message 1 in channel 2: pings @everyone/@here",
        "message 1 in channel 2: pings users [5]",
        "message 1 in channel 2: pings roles [78]",
    ]
