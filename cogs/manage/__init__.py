"""/manage: moderators keep their server's data current (the commands are in `cogs.manage._cog`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.manage._cog import Manage
from cogs.manage._form_flow import ReopenButton
from cogs.manage._preview import PreviewButton

if TYPE_CHECKING:
    from bot.client import AoadBot


async def setup(bot: AoadBot) -> None:
    # Previews are stored: their buttons answer after a restart too.
    bot.add_dynamic_items(PreviewButton, ReopenButton)
    await bot.add_cog(Manage(bot))
