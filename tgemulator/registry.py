"""Registry of Bot API method handlers, keyed by lower-cased method name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from .params import Params
from .world import World

Handler = Callable[[World, Params], Awaitable[Any]]

METHODS: dict[str, tuple[str, Handler]] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler under one or more Bot API method names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register


def lookup(method: str) -> tuple[str, Handler] | None:
    """``(canonical_name, handler)`` for a case-insensitive method name."""
    return METHODS.get(method.lower())
