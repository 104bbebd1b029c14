"""Run the emulator standalone with a terminal chat.

    python -m tgemulator --port 8081 --name Alice

Then start the bot in another process with ``base_url=http://127.0.0.1:8081/bot`` and
``base_file_url=http://127.0.0.1:8081/file/bot``, and type messages here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys

from .emulator import BotApiEmulator
from .terminal import run_terminal_chat


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tgemulator",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--user-id", type=int, default=1001)
    parser.add_argument("--name", default="You", help="first name of the simulated user")
    parser.add_argument("--username", default=None)
    parser.add_argument("--lang", default="en", help="language_code of the simulated user")
    parser.add_argument("--reply-timeout", type=float, default=5.0)
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


async def _main(args: argparse.Namespace) -> None:
    async with BotApiEmulator(args.host, args.port, token=args.token) as emu:
        print(
            f"Bot API emulator: base_url={emu.base_url} base_file_url={emu.base_file_url}",
            file=sys.stderr,
        )
        print(
            "Start the bot against it, then type. /command, number = press button, :quit to leave.",
            file=sys.stderr,
        )
        await run_terminal_chat(
            emu,
            args.user_id,
            args.name,
            args.lang,
            username=args.username,
            reply_timeout=args.reply_timeout,
        )


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args))


if __name__ == "__main__":
    main()
