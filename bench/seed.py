#!/usr/bin/python3
"""Creates N users in a pool through the API, fast: keep-alive connections, one SigV4 signature
per request (botocore's signer without the rest of boto3), many requests in flight.

  bench/seed.py --endpoint http://127.0.0.1:9229 --credentials data/credentials \
      [--pool-id ID | --pool-name NAME] --users 100000 [--concurrency 32] [--prefix user]

Usernames are PREFIX0000000.. with email PREFIX0000000@example.com; the invitation is suppressed.
Prints the pool id on the last line of stdout. Existing usernames are skipped (resumable).
"""

from __future__ import annotations

import argparse
import configparser
import http.client
import json
import sys
import threading
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET = "AWSCognitoIdentityProviderService."
REGION = "us-east-1"


class Caller:
    """One keep-alive connection that signs and sends awsJson calls."""

    def __init__(self, endpoint: str, creds: Credentials):
        u = urllib.parse.urlsplit(endpoint)
        self.endpoint = endpoint.rstrip("/")
        self.host, self.port = u.hostname, u.port or 80
        self.signer = SigV4Auth(creds, "cognito-idp", REGION)
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def call(self, op: str, payload: dict) -> tuple[int, dict]:
        body = json.dumps(payload).encode()
        req = AWSRequest(method="POST", url=self.endpoint + "/", data=body, headers={
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + op})
        self.signer.add_auth(req)
        for attempt in range(3):
            try:
                self.conn.request("POST", "/", body, dict(req.headers.items()))
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, (json.loads(data) if data else {})
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise RuntimeError("unreachable")


def load_credentials(path: str, profile: str = "cognate") -> Credentials:
    cp = configparser.ConfigParser()
    cp.read(path)
    sec = cp[profile]
    return Credentials(sec["aws_access_key_id"], sec["aws_secret_access_key"])


def username(prefix: str, i: int) -> str:
    return f"{prefix}{i:07d}"


def seed(endpoint: str, creds: Credentials, pool_id: str, n: int, concurrency: int = 32,
         prefix: str = "user", start: int = 0, progress: bool = True) -> dict:
    """Creates users start..n-1; returns counts and the rate."""
    next_i = [start]
    lock = threading.Lock()
    stats = {"created": 0, "existed": 0, "failed": 0, "errors": []}

    def worker():
        caller = Caller(endpoint, creds)
        while True:
            with lock:
                i = next_i[0]
                if i >= n:
                    return
                next_i[0] += 1
            name = username(prefix, i)
            try:
                status, body = caller.call("AdminCreateUser", {
                    "UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
                    "TemporaryPassword": "Seed#Passw0rd",
                    "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"},
                                       {"Name": "email_verified", "Value": "true"}]})
            except Exception as e:  # noqa: BLE001 - the server went away: stop this worker
                with lock:
                    stats["failed"] += 1
                    if len(stats["errors"]) < 5:
                        stats["errors"].append(("exception", repr(e)))
                return
            with lock:
                if status == 200:
                    stats["created"] += 1
                elif body.get("__type", "").endswith("UsernameExistsException"):
                    stats["existed"] += 1
                else:
                    stats["failed"] += 1
                    if len(stats["errors"]) < 5:
                        stats["errors"].append((status, body))

    started = time.monotonic()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    last = started
    while True:
        alive = [t for t in threads if t.is_alive()]
        if not alive:
            break
        alive[0].join(timeout=1.0)
        now = time.monotonic()
        if progress and now - last >= 10:
            last = now
            done = stats["created"] + stats["existed"] + stats["failed"]
            print(f"seed: {done}/{n - start} in {now - started:.0f}s "
                  f"({done / (now - started):.0f}/s)", file=sys.stderr, flush=True)
    elapsed = time.monotonic() - started
    stats["seconds"] = elapsed
    stats["per_second"] = (stats["created"] + stats["existed"]) / elapsed if elapsed else 0
    return stats


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--credentials", required=True, help="the server's data/credentials")
    ap.add_argument("--pool-id")
    ap.add_argument("--pool-name", default="bench")
    ap.add_argument("--users", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--prefix", default="user")
    args = ap.parse_args()

    creds = load_credentials(args.credentials)
    pool_id = args.pool_id
    if not pool_id:
        status, body = Caller(args.endpoint, creds).call("CreateUserPool", {
            "PoolName": args.pool_name})
        if status != 200:
            print(f"seed: CreateUserPool failed: {status} {body}", file=sys.stderr)
            return 1
        pool_id = body["UserPool"]["Id"]
    stats = seed(args.endpoint, creds, pool_id, args.users, args.concurrency, args.prefix)
    print(f"seed: {stats['created']} created, {stats['existed']} existed, {stats['failed']} "
          f"failed in {stats['seconds']:.1f}s ({stats['per_second']:.0f} users/s)",
          file=sys.stderr)
    for e in stats["errors"]:
        print(f"seed: error {e}", file=sys.stderr)
    print(pool_id)
    return 0 if stats["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
