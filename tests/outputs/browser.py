"""Headless Chromium driven over the DevTools protocol, for the report's browser test.

Debian's ``chromium`` (``make test`` installs it when absent; ``CHROMIUM`` names another
binary) is started on a loopback debugging port with a fresh profile and no background
networking. The page is loaded, every console message, uncaught exception, browser log
entry and network request is recorded, and an expression is evaluated in the page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
import websocket

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
LISTENING = re.compile(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/")


def chromium() -> str | None:
    named = os.environ.get("CHROMIUM")
    if named:
        return named
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Visit:
    """What loading one page showed."""

    problems: list[str] = field(default_factory=list)  # console errors, exceptions, log errors
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    value: Any = None  # the evaluated expression's result


class Browser:
    def __init__(self, binary: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="triage-chromium-")
        self.drain: threading.Thread | None = None
        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.port = self._port()

    def _port(self) -> int:
        deadline = time.monotonic() + 30
        assert self.process.stderr is not None
        while time.monotonic() < deadline:
            line = self.process.stderr.readline()
            if not line and self.process.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.process.returncode}")
            match = LISTENING.search(line)
            if match:
                # keep reading what it prints, or a full pipe would stall the browser
                self.drain = threading.Thread(target=self.process.stderr.read, daemon=True)
                self.drain.start()
                return int(match.group(1))
        raise RuntimeError("chromium did not open its debugging port in 30 s")

    def visit(self, url: str, expression: str, timeout: float = 30) -> Visit:
        target = requests.put(f"http://127.0.0.1:{self.port}/json/new?about:blank", timeout=10)
        target.raise_for_status()
        page = target.json()
        socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=timeout)
        visit = Visit()
        counter = iter(range(1, 1_000_000))

        def send(method: str, **params: Any) -> int:
            number = next(counter)
            socket.send(json.dumps({"id": number, "method": method, "params": params}))
            return number

        def until(done: Any) -> dict[str, Any]:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                message = json.loads(socket.recv())
                self._record(message, visit)
                if done(message):
                    return message
            raise TimeoutError("the page did not answer in time")

        try:
            for method in ("Runtime.enable", "Log.enable", "Network.enable", "Page.enable"):
                number = send(method)
                until(lambda m, n=number: m.get("id") == n)
            send("Page.navigate", url=url)
            until(lambda m: m.get("method") == "Page.loadEventFired")
            number = send(
                "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
            )
            answer = until(lambda m: m.get("id") == number)
            result = answer["result"]
            if "exceptionDetails" in result:
                raise AssertionError(f"the expression failed: {result['exceptionDetails']}")
            visit.value = result["result"].get("value")
        finally:
            socket.close()
            requests.get(f"http://127.0.0.1:{self.port}/json/close/{page['id']}", timeout=10)
        return visit

    @staticmethod
    def _record(message: dict[str, Any], visit: Visit) -> None:
        method, params = message.get("method"), message.get("params") or {}
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
            args = [str(a.get("value", a.get("description", ""))) for a in params["args"]]
            visit.problems.append(f"console.{params['type']}: {' '.join(args)}")
        elif method == "Runtime.exceptionThrown":
            visit.problems.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") in ("error", "warning"):
            visit.problems.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            visit.requests.append(params["request"]["url"])

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.drain is not None:
            self.drain.join(timeout=10)
        if self.process.stderr is not None:
            self.process.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)
