"""Files a user attaches to a slash command's attachment option, and the loopback "CDN" that serves them.

Discord uploads the file when the user sends the command and puts it in the interaction's
``resolved.attachments``, with a ``url`` on its CDN. Here the URL points at the fake itself, on 127.0.0.1,
so discord.py's ``Attachment.read()`` and ``save()`` work unchanged and no test reaches the internet.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from aiohttp import web

from .models import JSON
from .snowflake import new_snowflake

ATTACHMENT_ROUTE = "/ephemeral-attachments/{owner_id}/{attachment_id}/{filename}"


@dataclass(eq=False)
class Attachment:
    """A user's file, as Discord describes it in ``resolved.attachments``; ``downloads`` counts its GETs."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str
    size: int
    """What Discord reports as the size (``len(data)`` unless a test says otherwise)."""
    downloads: int = 0

    @property
    def proxy_url(self) -> str:
        """Discord's media proxy address; here the same file."""
        return self.url

    def to_payload(self) -> JSON:
        payload: JSON = {
            "id": str(self.id),
            "filename": self.filename,
            "size": self.size,
            "url": self.url,
            "proxy_url": self.proxy_url,
            # Files sent with a slash command are ephemeral attachments on Discord.
            "ephemeral": True,
        }
        if self.content_type is not None:
            payload["content_type"] = self.content_type
        return payload


class AttachmentStore:
    """The attachments a test made, served at ``base_url`` + :data:`ATTACHMENT_ROUTE`."""

    def __init__(self) -> None:
        self.by_id: dict[int, Attachment] = {}

    def add(
        self,
        base_url: str,
        owner_id: int,
        filename: str,
        data: bytes,
        *,
        content_type: str | None,
        size: int | None,
    ) -> Attachment:
        attachment_id = new_snowflake()
        path = ATTACHMENT_ROUTE.format(
            owner_id=owner_id, attachment_id=attachment_id, filename=quote(filename)
        )
        attachment = Attachment(
            id=attachment_id,
            filename=filename,
            data=data,
            content_type=content_type,
            url=f"{base_url}{path}?ex=0&is=0&hm=0",
            size=len(data) if size is None else size,
        )
        self.by_id[attachment_id] = attachment
        return attachment

    async def serve(self, request: web.Request) -> web.Response:
        try:
            attachment = self.by_id.get(int(request.match_info["attachment_id"]))
        except ValueError:
            attachment = None
        if attachment is None or attachment.filename != request.match_info["filename"]:
            return web.Response(status=404, text="Not Found")
        attachment.downloads += 1
        content_type = attachment.content_type or "application/octet-stream"
        return web.Response(body=attachment.data, headers={"Content-Type": content_type})
