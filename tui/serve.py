"""`rotmon serve`: the same dashboard in a web browser, through textual-serve.

Every browser tab that connects starts its own dashboard process, `python -m tui` with the
server's --config, --cache-dir, --offline, --read-only and --theme, and streams it over a
websocket. The server binds to 127.0.0.1 unless told otherwise; it has no authentication, so
binding to any other address prints a warning. Because browsers let any web page open a websocket to
localhost, the server refuses a websocket whose Origin is not the page's own, and on a loopback
bind any request whose Host is not a loopback name (which also defeats DNS rebinding).

Each session is a dashboard process (~135 MB), so at most --max-sessions (default 8) run at
once; past that, the page and the websocket are answered 503 with a short page that says so.

Only the standard library is imported here; textual-serve (aiohttp, textual) is imported when
the server starts.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tui.commandline import PROG, Parser, UsageError, add_common, warn

TITLE = "Rotation Monitor"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SESSION_STOP_TIMEOUT = 5.0
"""Seconds a browser session's dashboard gets to quit when the server stops."""
DEFAULT_MAX_SESSIONS = 8
"""Browser sessions (dashboard processes, ~135 MB each) served at once by default."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, not {text!r}")
    return port


def _max_sessions(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if not 1 <= count <= 1000:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 1000, not {text!r}")
    return count


def full_page(max_sessions: int) -> str:
    """The page (HTTP 503) a browser gets while --max-sessions sessions are open."""
    sessions = "session is" if max_sessions == 1 else "sessions are"
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Rotation Monitor: busy'
        "</title></head>\n<body><h1>Rotation Monitor is busy</h1>\n"
        f"<p>All {max_sessions} {sessions} in use (each runs its own dashboard). Close another "
        f"tab of this page and reload, or restart <code>{PROG} serve</code> with a larger "
        "<code>--max-sessions</code>.</p>\n</body></html>\n"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `rotmon serve` besides --config and --cache-dir (cli.py adds those).

    --offline and --read-only default to SUPPRESS so that `rotmon --offline serve` keeps the
    top-level value.
    """
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}; anything else is reachable "
        "from other machines, and there is no authentication)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--max-sessions",
        type=_max_sessions,
        default=DEFAULT_MAX_SESSIONS,
        help="browser sessions served at once, each its own dashboard process of ~135 MB "
        f"(default: {DEFAULT_MAX_SESSIONS}); more are refused with a 'busy' page",
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="the served dashboards never refresh; cached/bundled data only",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=argparse.SUPPRESS,
        help="the served dashboards only read the cache and follow its refreshes",
    )


def dashboard_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session: this Python running
    the dashboard with the same options, every part quoted for the shell it goes through."""
    argv = [sys.executable, "-m", "tui"]
    if args.config is not None:
        argv += ["--config", os.path.abspath(args.config)]
    if args.cache_dir is not None:
        argv += ["--cache-dir", os.path.abspath(args.cache_dir)]
    if getattr(args, "offline", False):
        argv.append("--offline")
    if getattr(args, "read_only", False):
        argv.append("--read-only")
    if getattr(args, "theme", None):
        argv += ["--theme", args.theme]
    if os.name == "nt":  # cmd.exe does not read POSIX quoting
        return subprocess.list2cmdline(argv)
    return shlex.join(argv)


def _resolve(host: str, port: int) -> list[tuple[Any, ...]]:
    try:
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as error:
        raise UsageError(f"cannot use --host {host!r}: {error}") from None
    return list(dict.fromkeys(infos))


def _is_loopback_address(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int, infos: list[tuple[Any, ...]]) -> None:
    """Bind every address the way asyncio's create_server will, then let go: a port in use is
    one line before anything else is printed (a race after this is still caught in serve)."""
    bound = 0
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6 and hasattr(socket, "IPPROTO_IPV6"):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(address)
            except OSError as error:
                if error.errno == errno.EADDRNOTAVAIL:  # e.g. IPv6 switched off: skip it
                    continue
                raise _bind_error(host, port, error) from None
            bound += 1
    if not bound:
        raise UsageError(f"cannot listen on {host}: no such address on this machine")


def _bind_error(host: str, port: int, error: OSError) -> UsageError:
    if error.errno == errno.EADDRINUSE:
        return UsageError(f"port {port} on {host} is already in use (choose another with --port)")
    if error.errno == errno.EACCES:
        return UsageError(f"no permission to listen on {host} port {port} (try a port over 1023)")
    return UsageError(f"cannot listen on {host} port {port}: {error.strerror or error}")


def _display(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve_main(args: argparse.Namespace) -> int:
    """Run `rotmon serve` until Ctrl+C (or SIGTERM); returns the exit code.

    Mistakes the user can make (bad host, port in use, missing config) raise UsageError.
    """
    host = args.host.strip()
    if not host:
        raise UsageError("--host is empty")
    if args.config is not None and not Path(args.config).is_file():
        raise UsageError(f"config file not found: {args.config}")
    infos = _resolve(host, args.port)
    loopback = all(_is_loopback_address(info[4][0]) for info in infos)
    if not loopback:
        warn(
            f"warning: listening on {host}, reachable from other machines: the dashboard has "
            "no authentication, anyone who can reach this port can use it"
        )
    _check_port(host, args.port, infos)

    max_sessions = getattr(args, "max_sessions", DEFAULT_MAX_SESSIONS)
    server = _make_server(
        dashboard_command(args), host, args.port, loopback=loopback, max_sessions=max_sessions
    )
    print(
        f"{PROG}: serving the dashboard at {_display(host, args.port)} (Ctrl+C stops)", flush=True
    )
    try:
        server.serve()
    except OSError as error:  # lost a race for the port since _check_port
        if error.errno in (errno.EADDRINUSE, errno.EACCES):
            raise _bind_error(host, args.port, error) from None
        raise
    return 0


def _make_server(
    command: str,
    host: str,
    port: int,
    *,
    loopback: bool,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
) -> Any:
    """textual-serve's Server, with requests from other web sites refused, at most
    ``max_sessions`` sessions at once (more get a 503 'busy' page), and the page's URLs built
    from the address the browser used (so a server on 0.0.0.0 works from elsewhere)."""
    import asyncio

    from aiohttp import web
    from textual_serve.server import Server

    allowed_names = {"localhost", host.lower()}

    def refusal(request: web.Request, *, websocket: bool) -> str | None:
        hostname = urlsplit(f"//{request.host}").hostname or ""
        if loopback and hostname not in allowed_names and not _is_loopback_address(hostname):
            return f"Host {request.host!r} is not this machine"
        origin = request.headers.get("Origin")  # browsers always send it with a websocket
        if (
            websocket
            and origin is not None
            and urlsplit(origin).netloc.lower() != request.host.lower()
        ):
            return f"Origin {origin!r} is not this server"
        return None

    sessions: dict[asyncio.Task[Any], web.Request] = {}  # the open browser sessions

    def busy() -> web.HTTPServiceUnavailable:
        return web.HTTPServiceUnavailable(
            text=full_page(max_sessions), content_type="text/html", headers={"Retry-After": "30"}
        )

    class RotmonServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            """serve_main prints one line instead of textual-serve's banner."""

        async def on_shutdown(self, app: web.Application) -> None:
            """End every open session now rather than after aiohttp's 60 s grace period: with its
            connection closed, textual-serve's session loop ends and sends the dashboard quit."""
            for request in sessions.values():
                if request.transport is not None:
                    request.transport.close()
            if sessions:
                await asyncio.wait(list(sessions), timeout=SESSION_STOP_TIMEOUT)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            if reason := refusal(request, websocket=False):
                raise web.HTTPForbidden(text=f"{PROG}: {reason}\n")
            if len(sessions) >= max_sessions:
                raise busy()
            # Read synchronously by the page template: no other request can interleave.
            self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
            if reason := refusal(request, websocket=True):
                raise web.HTTPForbidden(text=f"{PROG}: {reason}\n")
            if len(sessions) >= max_sessions:  # counted and added with no await between
                raise busy()
            task = asyncio.current_task()
            assert task is not None
            sessions[task] = request
            try:
                response: web.StreamResponse = await super().handle_websocket(request)
            finally:
                del sessions[task]
            return response

    return RotmonServer(command, host=host, port=port, title=TITLE)


def main_for_tests(argv: Sequence[str] | None = None) -> int:
    """`rotmon serve` parsed and run as cli.py does, for tests that start it in a subprocess."""
    parser = Parser(prog=f"{PROG} serve")
    add_common(parser, suppress=False)
    add_arguments(parser)
    parser.set_defaults(offline=False, read_only=False, theme=None)
    try:
        return serve_main(parser.parse_args(argv))
    except UsageError as error:
        warn(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        return 130
