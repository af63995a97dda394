"""Starts and drives the real cognate binary for the end-to-end suites (and the benchmarks).

Everything here talks to the server the way a user's tools do: boto3, the aws CLI, and raw HTTP
for what those clients never send (unsigned IAM calls, broken JSON, oversized bodies).
"""

from __future__ import annotations

import configparser
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
IDP_TARGET = "AWSCognitoIdentityProviderService"
JSON_CT = "application/x-amz-json-1.1"
LISTENING_RE = re.compile(r"listening on (127\.0\.0\.1|localhost|\[::1\]):(\d+)")


def binary_path() -> Path:
    """The cognate binary: $COGNATE_BIN, else $COGNATE_BUILD_DIR/src/app/cognate, else build/."""
    if os.environ.get("COGNATE_BIN"):
        return Path(os.environ["COGNATE_BIN"]).resolve()
    build = Path(os.environ.get("COGNATE_BUILD_DIR", REPO / "build"))
    return (build / "src" / "app" / "cognate").resolve()


def aws_cli_path() -> str:
    """Debian's aws CLI v2 first (the one install-deps brings), then whatever is on PATH."""
    if os.path.exists("/usr/bin/aws"):
        return "/usr/bin/aws"
    found = shutil.which("aws")
    if not found:
        raise RuntimeError("aws CLI not found (scripts/install-deps installs awscli)")
    return found


# ---------------------------------------------------------------------------------------------
# PostgreSQL: one fresh database per server, so parallel workers and modules never see each
# other's pools.


def _pg_url(dsn: str, dbname: str) -> str:
    """`dsn` (URL or key=value form) pointed at database `dbname`, as a postgres:// URL."""
    if dsn.startswith(("postgres://", "postgresql://")):
        parts = urllib.parse.urlsplit(dsn)
        return urllib.parse.urlunsplit(
            ("postgresql", parts.netloc, "/" + dbname, parts.query, parts.fragment)
        )
    kv = dict(re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", dsn))
    kv = {k: v.strip("'") for k, v in kv.items()}
    user = urllib.parse.quote(kv.get("user", "postgres"), safe="")
    auth = user
    if kv.get("password"):
        auth += ":" + urllib.parse.quote(kv["password"], safe="")
    host = kv.get("host", "127.0.0.1")
    if host.startswith("/"):
        query = "host=" + urllib.parse.quote(host, safe="")
        return f"postgresql://{auth}@/{dbname}?{query}&port={kv.get('port', '5432')}"
    return f"postgresql://{auth}@{host}:{kv.get('port', '5432')}/{dbname}"


def create_pg_database(admin_dsn: str, prefix: str = "cognate_e2e") -> str:
    """Creates an empty database on the server of `admin_dsn`; returns a URL DSN for it."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", admin_dsn, "-c",
         f'CREATE DATABASE "{name}"'],
        check=True, capture_output=True, timeout=60,
    )
    return _pg_url(admin_dsn, name)


def drop_pg_database(admin_dsn: str, url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    subprocess.run(
        ["psql", "-X", "-q", "-d", admin_dsn, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
        capture_output=True, timeout=60,
    )


# ---------------------------------------------------------------------------------------------


@dataclass
class RawResponse:
    status: int
    headers: dict  # lower-cased names
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def error_type(self) -> str:
        """The error name the way botocore reads it: body __type with any prefix stripped."""
        try:
            t = self.json().get("__type", "")
        except ValueError:
            return ""
        return t.rsplit("#", 1)[-1]


class CognateServer:
    """One cognate process on a free loopback port with its own data dir (and database)."""

    def __init__(self, data_dir: Path, database: str | None = None, extra_args=(),
                 binary: Path | None = None, cpu: str | None = None,
                 env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.database = database
        self.extra_args = list(extra_args)
        self.binary = binary or binary_path()
        self.cpu = cpu  # taskset CPU list, for benchmarks
        self.env = env  # added to the environment of the process
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        self._log = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> "CognateServer":
        if not self.binary.exists():
            raise RuntimeError(f"cognate binary not found at {self.binary}; build it first")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [str(self.binary), "--port", "0", "--data-dir", str(self.data_dir)]
        if self.database:
            cmd += ["--database", self.database]
        cmd += self.extra_args
        if self.cpu is not None:
            cmd = ["taskset", "-c", self.cpu] + cmd
        self._log = open(self.log_path, "ab")
        start_offset = self._log.tell()
        env = {**os.environ, **self.env} if self.env else None
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=self._log, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text(start_offset)
            m = LISTENING_RE.search(text)
            if m:
                self.port = int(m.group(2))
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"cognate exited with {self.proc.returncode} before listening:\n{text}")
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"cognate did not log 'listening on' within {timeout}s:\n"
                           f"{self.log_text(start_offset)}")

    def log_text(self, offset: int = 0) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        """Sends `sig` and waits; SIGKILLs after `timeout`. Returns the exit code."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code = self.proc.returncode
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None
        return code

    def kill(self) -> None:
        """kill -9: no chance to flush anything."""
        self.stop(signal.SIGKILL)

    def restart(self) -> "CognateServer":
        self.stop()
        return self.start()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what the server wrote ------------------------------------------------------------

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "config"

    def trigger_secret(self) -> str:
        """The HMAC key the server signs trigger calls with (data/trigger-secret)."""
        return (self.data_dir / "trigger-secret").read_text().strip()

    def credentials(self) -> tuple[str, str]:
        cp = configparser.ConfigParser()
        cp.read(self.credentials_file)
        sec = cp["cognate"]
        return sec["aws_access_key_id"], sec["aws_secret_access_key"]

    def outbox(self) -> list[dict]:
        path = self.data_dir / "outbox.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    # -- clients --------------------------------------------------------------------------

    def client(self, validate: bool = True, **config):
        akid, secret = self.credentials()
        cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                     parameter_validation=validate, connect_timeout=10, read_timeout=60,
                     **config)
        return boto3.session.Session().client(
            "cognito-idp", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=akid, aws_secret_access_key=secret, config=cfg)

    def cli_env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_SHARED_CREDENTIALS_FILE": str(self.credentials_file),
            "AWS_CONFIG_FILE": str(self.config_file),
            "AWS_PROFILE": "cognate",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
            "HOME": str(self.data_dir.parent),
        })
        return env

    def aws(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Runs `aws cognito-idp ARGS --endpoint-url ...` with the server's credentials."""
        cmd = [aws_cli_path(), "cognito-idp", *args, "--endpoint-url", self.endpoint,
               "--output", "json"]
        return subprocess.run(cmd, env=self.cli_env(), capture_output=True, text=True,
                              timeout=120, check=check)

    # -- raw HTTP -------------------------------------------------------------------------

    def sign(self, target: str, body: bytes, akid: str | None = None, secret: str | None = None,
             service: str = "cognito-idp", region: str = REGION,
             extra_headers: dict | None = None) -> dict:
        """Headers of a POST / signed the way botocore signs it."""
        if akid is None:
            akid, secret = self.credentials()
        headers = {"Content-Type": JSON_CT, "X-Amz-Target": target}
        headers.update(extra_headers or {})
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=body, headers=headers)
        SigV4Auth(Credentials(akid, secret), service, region).add_auth(req)
        return dict(req.headers.items())

    def raw(self, method: str, path: str = "/", body: bytes = b"", headers: dict | None = None,
            timeout: float = 30.0) -> RawResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return RawResponse(resp.status, {k.lower(): v for k, v in resp.getheaders()},
                               resp.read())
        finally:
            conn.close()

    def call_raw(self, op: str, payload, signed: bool = True, **sign_args) -> RawResponse:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        target = op if "." in op else f"{IDP_TARGET}.{op}"
        if signed:
            headers = self.sign(target, body, **sign_args)
        else:
            headers = {"Content-Type": JSON_CT, "X-Amz-Target": target}
        return self.raw("POST", "/", body, headers)

    def raw_socket(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)


def new_server(root: Path, database_admin_dsn: str | None = None, name: str = "data",
               **kwargs) -> tuple[CognateServer, str | None]:
    """A started server in root/name; on PostgreSQL with its own fresh database."""
    db = create_pg_database(database_admin_dsn) if database_admin_dsn else None
    server = CognateServer(Path(root) / name, database=db, **kwargs)
    server.start()
    return server, db


def temp_root(prefix: str = "cognate-e2e-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def unique(prefix: str = "t") -> str:
    """A name no other test uses (servers are shared within a module)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"
