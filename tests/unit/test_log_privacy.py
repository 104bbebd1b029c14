"""Log records lose tokens and content before any handler sees them."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from bot import log_privacy

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"  # made up


def record(name: str, msg: object, *args: object, exc: BaseException | None = None) -> str:
    log_privacy.install([TOKEN])
    made = logging.getLogger(name).makeRecord(
        name,
        logging.DEBUG,
        __file__,
        1,
        msg,
        args,
        (type(exc), exc, exc.__traceback__) if exc else None,
    )
    return logging.Formatter("%(message)s").format(made)


def test_token_is_redacted_in_urls_and_anywhere() -> None:
    assert record("httpx", "HTTP Request: %s", f"https://api.telegram.org/bot{TOKEN}/getMe") == (
        "HTTP Request: https://api.telegram.org/bot<token>/getMe"
    )
    assert TOKEN not in record("bot.x", "token %s here", TOKEN)
    other = "987654321:AAOtherTokenShapedStringXYZ0123456789"
    assert record("somewhere", f"/file/bot{other}/photo.jpg") == "/file/bot<token>/photo.jpg"
    assert record("httpx", "GET /bottom/page") == "GET /bottom/page"  # not a token


def test_library_arguments_keep_their_shape_not_their_content() -> None:
    update = Update.de_json(
        {"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "Meine Nummer 0511 99",
                                     "chat": {"id": 5, "type": "private"}}}, None
    )  # fmt: skip
    assert record("telegram.ext.Application", "Processing update %s", update) == (
        "Processing update <Update 7>"
    )
    line = record(
        "telegram.Bot",
        "Calling `%s` with `%s`",
        "sendMessage",
        {"chat_id": 5, "text": "Hallo Ayşe"},
    )
    assert line == "Calling `sendMessage` with `<dict: chat_id, text>`"
    assert "Ayşe" not in record(
        "telegram.ext._utils.webhookhandler", "Webhook received data: %s", '{"text": "Ayşe"}'
    )
    assert record("telegram.Bot", "Getting updates: %s", [1, 2]) == "Getting updates: [1, 2]"


def test_exceptions_keep_the_traceback_and_only_safe_messages() -> None:
    phone = "+49 511 " + "123456"  # what a resident typed (not in the source lines shown)
    try:
        try:
            raise BadRequest("Chat not found")
        except BadRequest as exc:
            raise ValueError(f"invalid phone {phone}") from exc
    except ValueError as exc:
        text = record("handlers.registry", "error in update %s", 3, exc=exc)
    assert text.startswith("error in update 3\nTraceback (most recent call last):")
    assert "telegram.error.BadRequest: Chat not found" in text
    assert "builtins.ValueError" in text and phone not in text
    assert "test_exceptions_keep_the_traceback" in text  # the frames are there
