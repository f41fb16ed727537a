"""/manage: moderators keep their server's data current (the commands are in `cogs.manage._cog`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.manage._cog import Manage

if TYPE_CHECKING:
    from bot.client import AoadBot


async def setup(bot: AoadBot) -> None:
    await bot.add_cog(Manage(bot))
