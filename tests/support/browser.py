"""Drive Debian's headless Chromium over the DevTools protocol, offline, for the report tests.

A fresh profile per browser, networking emulated offline, and every request, console message,
exception and log entry recorded, so a test can assert that a page fetched nothing and logged
no error. Needs ``chromium`` on PATH and the ``websocket-client`` package.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--mute-audio",
    "--no-default-browser-check",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--hide-scrollbars",
]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def why_no_browser() -> str | None:
    """None when a browser test can run, else the reason it cannot."""
    if chromium_path() is None:
        return "chromium is not installed (apt-get install chromium): browser tests skipped"
    try:
        import websocket  # noqa: F401
    except ImportError:
        return "websocket-client is not installed (pip install 'conflictdata[test]'): browser tests skipped"
    return None


class Browser:
    """One headless Chromium and one page target, driven over CDP (flattened sessions)."""

    def __init__(self, width: int = 1280, height: int = 1000, timeout: float = 30.0) -> None:
        import websocket

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="cd-chromium-")
        self.proc = subprocess.Popen(
            [
                chromium_path() or "chromium",
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = self._devtools_url()
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self._id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send(
            "Network.emulateNetworkConditions",
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _devtools_url(self) -> str:
        deadline = time.monotonic() + self.timeout
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"chromium exited with {self.proc.returncode}")
                continue
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                return m.group(1)
        raise RuntimeError("chromium did not print its DevTools URL in time")

    def _recv_until(self, want_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == want_id:
                if "error" in msg:
                    raise RuntimeError(f"CDP error: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise TimeoutError(f"no CDP answer to message {want_id}")

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        return self._recv_until(self._id)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to the page target."""
        return self.call(method, self.session, **params)

    def pump(self, seconds: float) -> None:
        """Collect events for a while (a no-op command keeps the socket read)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.send("Runtime.evaluate", expression="1")
            time.sleep(0.05)

    def add_init_script(self, source: str) -> None:
        """Run ``source`` in every document this page loads, before the document's own scripts
        (as a browser extension would; the page's Content-Security-Policy does not apply)."""
        self.send("Page.addScriptToEvaluateOnNewDocument", source=source)

    def goto(self, url: str) -> None:
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(e["method"] == "Page.loadEventFired" for e in self.events):
                return
            self.pump(0.1)
        raise TimeoutError(f"{url} did not load")

    def eval(self, expression: str) -> Any:
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float | None = None) -> Any:
        deadline = time.monotonic() + (seconds or self.timeout)
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.1)
        raise TimeoutError(f"page never satisfied: {expression}")

    def mouse(self, kind: str, x: float, y: float) -> None:
        params: dict[str, Any] = {"type": kind, "x": x, "y": y}
        if kind in ("mousePressed", "mouseReleased"):
            params.update(button="left", clickCount=1)
        self.send("Input.dispatchMouseEvent", **params)

    def screenshot(self, path: Path, clip: dict[str, float] | None = None) -> Path:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip:
            params["clip"] = {**clip, "scale": 1}
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    # what the page did
    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in (
                "error",
                "assert",
                "warning",
            ):
                out.append(
                    "console: "
                    + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"])
                )
            elif e["method"] == "Runtime.exceptionThrown":
                out.append("exception: " + json.dumps(p.get("exceptionDetails", {}))[:500])
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") in (
                "error",
                "warning",
            ):
                out.append(f"log: {p['entry'].get('source')}: {p['entry'].get('text')}")
            elif e["method"] == "Network.loadingFailed":
                out.append(f"network: {p.get('errorText')}")
        return out

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
