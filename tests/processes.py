"""Running the installed `salesbot` console script as a real subprocess, with bounds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

SALESBOT = Path(sys.executable).with_name("salesbot")
ACK_LIMIT = 3.0  # seconds Slack waits for an ack
_OWN_PREFIXES = ("SLACK_", "SALESBOT_")
_PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")  # slack_sdk would use them


def clean_env(**values: str | None) -> dict[str, str]:
    """This environment without Salesbot's settings or proxies, plus `values` (None drops)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_OWN_PREFIXES)
        and key != "DATABASE_URL"
        and key.upper() not in _PROXY_VARIABLES
    }
    env["PYTHONUNBUFFERED"] = "1"
    for key, value in values.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `salesbot <args>` to completion (bounded), capturing text output."""
    assert SALESBOT.exists(), f"console script not installed next to {sys.executable}"
    return subprocess.run(
        [str(SALESBOT), *args],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(proc: subprocess.Popen[bytes], timeout: float = 10) -> int | None:
    """SIGTERM, then the exit code; None if it had to be killed."""
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)
        return None


def stderr_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]
