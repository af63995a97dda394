"""A Node process hosting Lambda-style trigger handlers (tests/triggers/lambda_host.mjs).

    host = LambdaHost(Path("handlers/hooks_handlers.mjs")).start()
    idp.update_user_pool(..., LambdaConfig={"PreSignUp": host.url("preSignUp")})
    ...
    assert host.events("preSignUp")[0]["triggerSource"] == "PreSignUp_SignUp"
    host.stop()

The conftest fixture `lambda_host` starts one per handlers module and stops it at the end.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

HOST_SCRIPT = Path(__file__).resolve().parent.parent / "triggers" / "lambda_host.mjs"


class LambdaHost:
    def __init__(self, handlers: Path):
        self.handlers = Path(handlers).resolve()
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self, timeout: float = 20.0) -> "LambdaHost":
        self.proc = subprocess.Popen(
            ["node", str(HOST_SCRIPT), str(self.handlers)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # blocks until the host listens or dies
        if not line.startswith("LISTENING "):
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            self.stop()
            raise RuntimeError(f"lambda host did not start: {line!r} {err}")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self, name: str) -> str:
        """The LambdaConfig value that makes Cognate call handler `name`."""
        return f"http://127.0.0.1:{self.port}/{name}"

    def _call(self, method: str, path: str, body: bytes | None = None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                     method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def records(self, name: str | None = None) -> list[dict]:
        """[{name, event, signed, receivedAt}] received, oldest first."""
        return self._call("GET", "/_events" + (f"/{name}" if name else ""))

    def events(self, name: str | None = None) -> list[dict]:
        """The events handler `name` (or any handler) received, oldest first."""
        return [r["event"] for r in self.records(name)]

    def clear(self) -> None:
        self._call("DELETE", "/_events")

    def set_state(self, state: dict) -> None:
        """Sets `context.state` for the handlers."""
        self._call("PUT", "/_state", json.dumps(state).encode())

    def set_secret(self, secret: str | None) -> None:
        """From now on, refuse calls whose X-Cognate-Signature does not verify with `secret`."""
        self._call("PUT", "/_secret", (secret or "").encode())
