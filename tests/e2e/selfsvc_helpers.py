"""Shared by test_signup.py and test_self_service.py: pools and app clients for the
self-service operations, reading codes back from the outbox, SMTP and the SMS gateway, and
signing in with USER_PASSWORD_AUTH."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from harness import unique

SUPPORT = Path(__file__).resolve().parents[1] / "support"
PASSWORD = "Passw0rd!"
CODE_RE = re.compile(r"\b(\d{6})\b")
FIXED_CODE = "123456"


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    return predicate()


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def make_pool(idp, **kwargs) -> str:
    """A pool that auto-verifies e-mail (unless overridden) and recovers by verified e-mail."""
    args = {"PoolName": unique("self"), "AutoVerifiedAttributes": ["email"]}
    args.update(kwargs)
    return idp.create_user_pool(**args)["UserPool"]["Id"]


def make_client(idp, pool_id: str, prevent="LEGACY", secret=False) -> dict:
    resp = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("app"), GenerateSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                           "ALLOW_USER_SRP_AUTH"],
        PreventUserExistenceErrors=prevent)
    return resp["UserPoolClient"]


def outbox_messages(server, pool_id: str, destination: str | None = None) -> list[dict]:
    return [m for m in server.outbox() if m.get("pool_id") == pool_id and
            (destination is None or m.get("destination") == destination)]


def outbox_code(server, pool_id: str, destination: str, count: int = 1) -> str:
    """The code in the latest message to `destination` once `count` messages arrived there."""
    msgs = wait_for(lambda: len(outbox_messages(server, pool_id, destination)) >= count and
                    outbox_messages(server, pool_id, destination))
    assert msgs, f"no message to {destination} in the outbox"
    m = CODE_RE.search(msgs[-1]["body"])
    assert m, msgs[-1]
    return m.group(1)


def error_of(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err["Message"]


def sign_in(idp, client_id: str, username: str, password: str = PASSWORD,
            client_secret: str | None = None) -> dict:
    params = {"USERNAME": username, "PASSWORD": password}
    if client_secret:
        params["SECRET_HASH"] = secret_hash(client_secret, username, client_id)
    resp = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters=params)
    return resp["AuthenticationResult"]


def signed_up_user(idp, server, pool_id, client_id, username, email, password=PASSWORD):
    """Signs a user up and confirms it with the code from the outbox; returns its sub."""
    sub = idp.sign_up(ClientId=client_id, Username=username, Password=password,
                      UserAttributes=[{"Name": "email", "Value": email}])["UserSub"]
    code = outbox_code(server, pool_id, email)
    idp.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return sub


def _python_with(module: str):
    for py in (sys.executable, "/usr/bin/python3"):
        try:
            ok = subprocess.run([py, "-c", f"import {module}"], capture_output=True,
                                timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return py
    return None


@contextmanager
def support_process(script: str, out: Path, module: str | None = None):
    """Runs tests/support/<script> OUTFILE --lifeline; yields its port; stops it at the end."""
    py = _python_with(module) if module else sys.executable
    if py is None:
        pytest.skip(f"python3 module {module} is not installed")
    proc = subprocess.Popen([py, str(SUPPORT / script), str(out), "--lifeline"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            pytest.fail(f"{script} did not start: {line!r}")
        yield int(line.split()[1])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
