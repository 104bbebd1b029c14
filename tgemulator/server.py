"""The aiohttp application serving ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

# Importing the method modules registers their handlers.
from . import api_chats, api_core, api_media, api_messages  # noqa: F401
from .errors import ApiError, not_found, unauthorized
from .faults import FaultInjector
from .models import ApiCall
from .params import parse_request
from .registry import lookup
from .world import World

_LOGGER = logging.getLogger(__name__)
MAX_BODY = 64 * 1024 * 1024


class ApiServer:
    """HTTP front end: parses requests, records calls, applies faults, runs handlers."""

    def __init__(self, world: World, faults: FaultInjector, *, token: str | None = None) -> None:
        self.world = world
        self.faults = faults
        self.token = token
        self.calls: list[ApiCall] = []
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    def build_app(self) -> web.Application:
        """The aiohttp application with the Bot API and file download routes."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        return app

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (0 = any free port); return the bound port."""
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self.port

    async def stop(self) -> None:
        """Close the listening socket and open connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _token_ok(self, token: str) -> bool:
        return self.token is None or token == self.token

    @staticmethod
    def _error_response(error: ApiError) -> web.Response:
        return web.json_response(error.envelope(), status=error.error_code)

    async def _handle_method(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if not self._token_ok(token):
            return self._error_response(unauthorized())
        entry = lookup(method)
        canonical = entry[0] if entry else method
        try:
            params = await parse_request(request)
        except ApiError as error:
            return self._error_response(error)
        except ConnectionResetError:  # the client went away mid-request (e.g. at shutdown)
            return web.Response(status=400)
        call = ApiCall(canonical, params.raw, time.time(), token)
        self.calls.append(call)
        self.world.touch()
        if entry is None:
            return self._finish(call, error=not_found())
        fault = self.faults.take(canonical)
        if fault is not None:
            if fault.reset and request.transport is not None:
                request.transport.abort()  # the client sees the connection reset
                raise asyncio.CancelledError
            if fault.delay > 0:
                await asyncio.sleep(fault.delay)
            fault_error = fault.error()
            if fault_error is not None:
                return self._finish(call, error=fault_error)
        try:
            result = await entry[1](self.world, params)
        except ApiError as error:
            return self._finish(call, error=error)
        except Exception:  # a bug in the emulator: answer like Telegram's 500
            _LOGGER.exception("emulator failure in %s", canonical)
            return self._finish(call, error=ApiError(500, "Internal Server Error"))
        return self._finish(call, result=result)

    def _finish(
        self, call: ApiCall, *, result: Any = None, error: ApiError | None = None
    ) -> web.Response:
        call.ok = error is None
        self.world.touch()
        if error is not None:
            call.error = error.description
            return self._error_response(error)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if not self._token_ok(request.match_info["token"]):
            return self._error_response(unauthorized())
        stored = self.world.files_by_path.get(request.match_info["path"])
        if stored is None:
            return self._error_response(not_found())
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, headers={"Content-Type": content_type})
