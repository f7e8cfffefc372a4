"""The link that adds the bot to a server, with the permissions it needs and no more."""

from __future__ import annotations

import discord

__all__ = ["INVITE_PERMISSIONS", "invite_url"]

# Read and answer in channels and threads (private ones included once the bot is added to
# them), with embeds; read the history a reply refers to. Nothing that moderates or pings.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)


def invite_url(application_id: int) -> str:
    """The OAuth2 link for the bot user and its slash commands."""
    return discord.utils.oauth_url(
        application_id,
        permissions=INVITE_PERMISSIONS,
        scopes=("bot", "applications.commands"),
    )
