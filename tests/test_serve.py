"""`rotmon serve`: the dashboard over localhost through textual-serve, started in a subprocess.

Every request goes to 127.0.0.1. The one test with a non-loopback --host never listens: its
port is taken first, so it shows the warning and stops at the port check.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui.cli import UsageError, build_parser
from tui.serve import dashboard_command, main_for_tests

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = (
    "import sys; from tui.serve import main_for_tests; sys.exit(main_for_tests(sys.argv[1:]))"
)
STARTUP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and shell")


def _cli_has_serve() -> bool:
    try:
        build_parser().parse_args(["serve"])
    except UsageError:
        return False
    return True


def serve_argv(*args: str) -> list[str]:
    """`python -m tui serve …` once cli.py has the subcommand; until then the same parser and
    serve_main through tui.serve.main_for_tests."""
    if _cli_has_serve():
        return [sys.executable, "-m", "tui", "serve", *args]
    return [sys.executable, "-c", LAUNCHER, *args]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        serve_argv(*args),
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET straight to the server: the test env points the proxy variables at a dead port."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


class Served:
    """A `serve` subprocess in its own session (so a Ctrl+C can go to its whole group)."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = free_port()
        self.out = tmp_path / "serve.out"
        self.err = tmp_path / "serve.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                serve_argv("--port", str(self.port), *args),
                cwd=ROOT,
                env=child_env(),
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait_until_up(self) -> str:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"serve exited with {self.proc.returncode}: {self.err.read_text()}")
            try:
                status, body = http_get(self.url)
            except OSError:
                time.sleep(0.1)
                continue
            assert status == 200, body
            return body
        pytest.fail(f"serve did not answer on {self.url} within {STARTUP_TIMEOUT:.0f} s")

    def ctrl_c(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)

    def wait(self) -> int:
        return self.proc.wait(timeout=STOP_TIMEOUT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=STOP_TIMEOUT)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    started: list[Served] = []

    def start(*args: str) -> Served:
        served = Served(tmp_path, *args)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def test_serve_answers_on_localhost_then_stops_on_ctrl_c(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve("--offline", "--cache-dir", str(tmp_path / "cache"))
    html = served.wait_until_up()

    assert "Rotation Monitor" in html
    assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in html
    script = f"http://127.0.0.1:{served.port}/static/js/textual.js"
    assert f'src="{script}"' in html
    status, _ = http_get(script)
    assert status == 200

    served.ctrl_c()
    assert served.wait() == 0
    assert "Traceback" not in served.err.read_text() + served.out.read_text()
    assert "no authentication" not in served.err.read_text()  # loopback: no warning
    assert served.out.read_text().startswith(
        f"rotmon: serving the dashboard at http://127.0.0.1:{served.port}/"
    )


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
def test_a_browser_session_runs_the_dashboard_with_the_same_options(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    """A websocket session starts `python -m tui` with the server's options, quoted for the
    shell (the cache dir has a space and a quote in its name); stopping the server ends it."""
    aiohttp = pytest.importorskip("aiohttp")
    cache_dir = tmp_path / "it's my cache; $(echo no)"
    served = serve("--offline", "--cache-dir", str(cache_dir))
    served.wait_until_up()

    async def session() -> tuple[bytes, list[list[str]]]:
        output = b""
        origin = f"http://127.0.0.1:{served.port}"
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(f"{origin}/ws?width=100&height=30", headers={"Origin": origin}) as ws,
        ):
            await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while b"OFFLINE" not in output and time.monotonic() < deadline:
                try:
                    message = await asyncio.wait_for(ws.receive(), timeout=1)
                except TimeoutError:
                    continue
                if message.type == aiohttp.WSMsgType.BINARY:
                    output += message.data
                elif message.type != aiohttp.WSMsgType.TEXT:
                    break
            commands = [
                Path(f"/proc/{pid}/cmdline").read_text().split("\0")[:-1]
                for pid in descendants(served.proc.pid)
            ]
        return output, commands

    output, commands = asyncio.run(session())
    assert b"OFFLINE" in output, output[-500:]
    expected = [sys.executable, "-m", "tui", "--cache-dir", str(cache_dir), "--offline"]
    assert expected in commands or ["/bin/sh", "-c", shlex.join(expected)] in commands, commands
    assert (cache_dir / "rotmon.sqlite").is_file()

    # A second session is left open while the server is stopped: it must end that one too.
    async def stop_during_a_session() -> None:
        origin = f"http://127.0.0.1:{served.port}"
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(f"{origin}/ws", headers={"Origin": origin}) as ws,
        ):
            await asyncio.wait_for(ws.receive(), timeout=STARTUP_TIMEOUT)
            children = descendants(served.proc.pid)
            assert children
            served.proc.terminate()  # SIGTERM to the server alone
            assert await asyncio.to_thread(served.wait) == 0
        deadline = time.monotonic() + STOP_TIMEOUT
        while any(alive(pid) for pid in children) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert not any(alive(pid) for pid in children)

    asyncio.run(stop_during_a_session())
    assert "Traceback" not in served.err.read_text() + served.out.read_text()


def test_requests_from_other_sites_are_refused(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    """Any web page can open a websocket to localhost: only the page's own origin may, and on
    a loopback bind only a loopback Host is answered (a DNS-rebound name is not)."""
    served = serve("--offline", "--cache-dir", str(tmp_path / "cache"))
    served.wait_until_up()
    ws = f"http://127.0.0.1:{served.port}/ws"

    status, body = http_get(ws, {"Origin": "http://evil.example"})
    assert status == 403
    assert "Origin" in body
    status, _ = http_get(ws, {"Origin": f"http://localhost:{served.port}"})
    assert status == 403  # the page was served as 127.0.0.1: its origin is that one
    status, body = http_get(served.url, {"Host": f"evil.example:{served.port}"})
    assert status == 403
    assert "not this machine" in body
    status, html = http_get(served.url, {"Host": f"localhost:{served.port}"})
    assert status == 200
    assert f"ws://localhost:{served.port}/ws" in html
    if Path("/proc/self/task").is_dir():
        assert not descendants(served.proc.pid)  # no refused request started a dashboard


def test_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("--port", str(port), "--offline", "--cache-dir", str(tmp_path / "cache"))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"rotmon: error: port {port} on 127.0.0.1 is already in use (choose another with --port)"
    ]
    assert result.stdout == ""


def test_a_non_loopback_host_warns_that_there_is_no_authentication(tmp_path: Path) -> None:
    # The port is bound (never listening) first, so the server stops at the port check.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("0.0.0.0", 0))
        port = taken.getsockname()[1]
        result = run("--host", "0.0.0.0", "--port", str(port), "--cache-dir", str(tmp_path))
    assert result.returncode == 2
    warning, error = result.stderr.splitlines()
    assert warning.startswith("rotmon: warning: listening on 0.0.0.0, reachable from other")
    assert "no authentication" in warning
    assert "already in use" in error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port: must be a port number from 1 to 65535, not '0'"),
        (["--port", "65536"], "not '65536'"),
        (["--port", "http"], "not 'http'"),
        (["--host", " "], "--host is empty"),
        (["--config", "no-such.toml"], "config file not found: no-such.toml"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_for_tests(args) == 2
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("rotmon: error: ")
    assert message in line


def test_the_served_command_quotes_every_part(tmp_path: Path) -> None:
    hostile = tmp_path / "a b'; touch pwned; $(echo x) `id`"
    args = build_parser().parse_args(["--config", str(hostile), "--cache-dir", str(hostile)])
    args.offline, args.theme = True, "rotmon-light; touch pwned"
    command = dashboard_command(args)
    assert shlex.split(command) == [
        sys.executable,
        "-m",
        "tui",
        "--config",
        str(hostile),
        "--cache-dir",
        str(hostile),
        "--offline",
        "--theme",
        "rotmon-light; touch pwned",
    ]
    # And through a real shell: the arguments arrive intact, nothing else runs.
    echo = command.replace(shlex.quote(sys.executable), "printf '%s\\n'", 1)
    result = subprocess.run(
        ["/bin/sh", "-c", echo], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[3] == str(hostile)
    assert not (tmp_path / "pwned").exists()


def test_importing_serve_loads_neither_textual_nor_the_web_server() -> None:
    code = "import json, sys; import tui.serve; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    loaded = set(json.loads(result.stdout.strip().splitlines()[-1]))
    assert not loaded & {"textual", "textual_serve", "aiohttp"}


def test_read_only_reaches_the_served_dashboards() -> None:
    """`rotmon serve --read-only` (or `rotmon --read-only serve`): every browser session is a
    viewer of the cache, never a writer."""
    for argv in (["serve", "--read-only"], ["--read-only", "serve"]):
        args = build_parser().parse_args(argv)
        assert shlex.split(dashboard_command(args))[-1] == "--read-only", argv
    args = build_parser().parse_args(["serve"])
    assert "--read-only" not in shlex.split(dashboard_command(args))


def test_sessions_past_max_sessions_get_a_busy_page(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    """Each session is a dashboard process (~135 MB): with --max-sessions 1, a second
    websocket and the page itself are answered 503 'busy' while the first is open, and no
    second dashboard starts; once it closes, the page is served again."""
    aiohttp = pytest.importorskip("aiohttp")
    served = serve("--offline", "--cache-dir", str(tmp_path / "cache"), "--max-sessions", "1")
    served.wait_until_up()
    origin = f"http://127.0.0.1:{served.port}"

    async def over_the_limit() -> tuple[int, int, str]:
        async with (
            aiohttp.ClientSession() as client,
            client.ws_connect(f"{origin}/ws", headers={"Origin": origin}) as first,
        ):
            await asyncio.wait_for(first.receive(), timeout=STARTUP_TIMEOUT)  # it is running
            try:
                async with client.ws_connect(f"{origin}/ws", headers={"Origin": origin}):
                    second = 101
            except aiohttp.WSServerHandshakeError as error:
                second = error.status
            page_status, page = await asyncio.to_thread(http_get, served.url)
            children = descendants(served.proc.pid) if Path("/proc/self/task").is_dir() else []
            assert len([pid for pid in children if alive(pid)]) <= 2  # one dashboard (+ sh)
        return second, page_status, page

    second, page_status, page = asyncio.run(over_the_limit())
    assert second == 503
    assert page_status == 503
    assert "All 1 session is in use" in page and "--max-sessions" in page

    deadline = time.monotonic() + STOP_TIMEOUT  # the first session has closed: room again
    while (status := http_get(served.url)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 200
    served.ctrl_c()
    assert served.wait() == 0
    assert "Traceback" not in served.err.read_text() + served.out.read_text()


@pytest.mark.parametrize("count", ["0", "-1", "many"])
def test_max_sessions_must_be_a_positive_number(
    count: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main_for_tests(["--max-sessions", count]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("rotmon: error: ") and "--max-sessions" in line
    assert f"not {count!r}" in line
