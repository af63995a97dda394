#!/usr/bin/python3
"""What a trigger call adds to a request: refreshes without and with a PreTokenGeneration
function that returns the event unchanged (tests/triggers/lambda_host.mjs on loopback).

  bench/trigger_bench.py --build BUILD_DIR [--requests 2000] [--runs 3]

One client, one request at a time (latency, not throughput): the difference of the medians is
the cost of one trigger call (event JSON built, HMAC, HTTP POST on a kept-alive connection, the
Node host's handling, the reply parsed and applied). Prints a Markdown table for
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "e2e"))

import harness  # noqa: E402
from lambda_host import LambdaHost  # noqa: E402


def refresh_latencies(endpoint: str, client_id: str, refresh_token: str, n: int) -> list[float]:
    host, port = endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    body = json.dumps({"ClientId": client_id, "AuthFlow": "REFRESH_TOKEN_AUTH",
                       "AuthParameters": {"REFRESH_TOKEN": refresh_token}})
    headers = {"Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"}
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("POST", "/", body, headers)
        resp = conn.getresponse()
        data = resp.read()
        out.append((time.perf_counter() - t0) * 1000)
        if resp.status != 200:
            raise RuntimeError(data.decode())
    conn.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import os
    os.environ["COGNATE_BUILD_DIR"] = str(Path(args.build).resolve())

    host = LambdaHost(HERE / "triggers" / "passthrough.mjs").start()
    root = Path(tempfile.mkdtemp(prefix="cognate-trigger-bench-"))
    server = harness.CognateServer(root / "data").start()
    try:
        idp = server.client()
        results = {}
        for label, config in (("no trigger", {}),
                              ("PreTokenGeneration (passthrough)",
                               {"PreTokenGeneration": host.url("passthrough")})):
            pool = idp.create_user_pool(PoolName=harness.unique("bench"), LambdaConfig=config)
            pool_id = pool["UserPool"]["Id"]
            cid = idp.create_user_pool_client(
                UserPoolId=pool_id, ClientName="b",
                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            )["UserPoolClient"]["ClientId"]
            idp.admin_create_user(UserPoolId=pool_id, Username="u", MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=pool_id, Username="u",
                                        Password="Passw0rd!x", Permanent=True)
            tokens = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": "u",
                                                       "PASSWORD": "Passw0rd!x"})
            rt = tokens["AuthenticationResult"]["RefreshToken"]
            refresh_latencies(server.endpoint, cid, rt, 200)  # warm-up
            medians = []
            p99s = []
            for _ in range(args.runs):
                lat = sorted(refresh_latencies(server.endpoint, cid, rt, args.requests))
                medians.append(statistics.median(lat))
                p99s.append(lat[int(len(lat) * 0.99) - 1])
            results[label] = (statistics.median(medians), statistics.median(p99s))
        print("| refresh (REFRESH_TOKEN_AUTH), one request at a time | median ms | p99 ms |")
        print("|---|---|---|")
        for label, (med, p99) in results.items():
            print(f"| {label} | {med:.3f} | {p99:.3f} |")
        base = results["no trigger"][0]
        extra = results["PreTokenGeneration (passthrough)"][0] - base
        print(f"\none trigger call adds {extra:.3f} ms at the median")
    finally:
        server.stop()
        host.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
