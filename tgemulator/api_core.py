"""Bot API methods about the bot itself: getMe, updates, webhooks, commands, menu button."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import bad_request
from .params import Params
from .registry import api_method
from .updates import WebhookConfig
from .world import World

JSON = dict[str, Any]
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@api_method("getMe")
async def get_me(world: World, p: Params) -> JSON:
    """The bot's ``User`` with the bot-only capability flags."""
    return {
        **world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@api_method("getUpdates")
async def get_updates(world: World, p: Params) -> list[JSON]:
    """Long polling: confirms ``offset``, waits up to ``timeout`` seconds."""
    return await world.hub.get_updates(
        offset=p.get_int("offset"),
        limit=p.get_int("limit", 100) or 100,
        timeout=p.get_float("timeout", 0.0) or 0.0,
        allowed=p.get_json("allowed_updates"),
    )


@api_method("setWebhook")
async def set_webhook(world: World, p: Params) -> bool:
    """Register the webhook; an empty ``url`` removes it."""
    url = (p.get_str("url") or "").strip()
    drop = p.get_bool("drop_pending_updates")
    if not url:
        world.hub.delete_webhook(drop_pending=drop)
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get_str("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    world.hub.set_allowed_updates(p.get_json("allowed_updates"))
    config = WebhookConfig(
        url=url,
        secret_token=secret,
        max_connections=p.get_int("max_connections", 40) or 40,
        ip_address=p.get_str("ip_address"),
    )
    world.hub.set_webhook(config, drop_pending=drop)
    return True


@api_method("deleteWebhook")
async def delete_webhook(world: World, p: Params) -> bool:
    """Remove the webhook (optionally dropping pending updates)."""
    world.hub.delete_webhook(drop_pending=p.get_bool("drop_pending_updates"))
    return True


@api_method("getWebhookInfo")
async def get_webhook_info(world: World, p: Params) -> JSON:
    """Current webhook, pending update count and last delivery error."""
    return world.hub.webhook_info()


@api_method("close", "logOut")
async def close(world: World, p: Params) -> bool:
    """Accepted and ignored (the emulator keeps running)."""
    return True


def _commands_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), p.get_str("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(world: World, p: Params) -> bool:
    """Store the command list for a ``scope`` and ``language_code``."""
    commands = p.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("command description is empty or too long")
    key = _commands_key(p)
    if commands:
        world.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        world.commands.pop(key, None)
    return True


@api_method("getMyCommands")
async def get_my_commands(world: World, p: Params) -> list[JSON]:
    """The commands of exactly this scope and language (no fallback, like Telegram)."""
    return list(world.commands.get(_commands_key(p), []))


@api_method("deleteMyCommands")
async def delete_my_commands(world: World, p: Params) -> bool:
    """Forget the commands of a scope and language."""
    world.commands.pop(_commands_key(p), None)
    return True


@api_method("setChatMenuButton")
async def set_chat_menu_button(world: World, p: Params) -> bool:
    """Set the menu button of one private chat, or the default one."""
    button = p.get_json("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if p.has("chat_id"):
        world.resolve_chat(p.chat_id()).menu_button = button
    else:
        world.bot_settings["menu_button"] = button
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(world: World, p: Params) -> JSON:
    """The chat's menu button, falling back to the default one."""
    default = world.bot_settings.get("menu_button", {"type": "commands"})
    if p.has("chat_id"):
        button = world.resolve_chat(p.chat_id()).menu_button
        if button is not None and button.get("type") != "default":
            return button
    return default if default.get("type") != "default" else {"type": "commands"}


def _register_setting(suffix: str, field: str) -> None:
    """Register ``setMy<suffix>`` / ``getMy<suffix>`` storing ``field`` per language."""

    @api_method(f"setMy{suffix}")
    async def setter(world: World, p: Params) -> bool:
        world.bot_settings[f"{field}:{p.get_str('language_code') or ''}"] = p.get_str(field) or ""
        return True

    @api_method(f"getMy{suffix}")
    async def getter(world: World, p: Params) -> JSON:
        default = world.bot.first_name if field == "name" else ""
        return {
            field: world.bot_settings.get(f"{field}:{p.get_str('language_code') or ''}", default)
        }


for _suffix, _field in (
    ("Name", "name"),
    ("Description", "description"),
    ("ShortDescription", "short_description"),
):
    _register_setting(_suffix, _field)
