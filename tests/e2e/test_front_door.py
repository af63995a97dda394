"""The awsJson1_1 front door over raw HTTP: authentication, targets, bodies, limits, CORS."""

import json
import socket
import time

import pytest
from botocore.exceptions import ClientError

import harness

LIST_POOLS = "AWSCognitoIdentityProviderService.ListUserPools"


# SigV4 failures: AWS services answer 400 or 403 depending on the service; the SDKs go by the
# error type, not the status (docs/decisions.md "Front-door errors": 403 here).
AUTH_STATUSES = (400, 403)


def assert_error(resp, type_name, status=400):
    allowed = status if isinstance(status, tuple) else (status,)
    assert resp.status in allowed, (resp.status, resp.body)
    assert resp.error_type == type_name, resp.body
    body = resp.json()
    assert isinstance(body.get("message", body.get("Message")), str), body
    # JS SDK v3 and Amplify read the header first; botocore reads the body.
    assert resp.headers.get("x-amzn-errortype", "").split(":")[0] == type_name, resp.headers
    assert resp.headers.get("x-amzn-requestid"), resp.headers


def test_signed_call_succeeds(server):
    resp = server.call_raw("ListUserPools", {"MaxResults": 5})
    assert resp.status == 200, resp.body
    assert resp.headers["content-type"].startswith("application/x-amz-json-1.1")
    assert resp.headers.get("x-amzn-requestid")
    assert resp.headers.get("date"), "the JS SDK corrects clock skew from Date"
    assert isinstance(resp.json()["UserPools"], list)


def test_request_ids_are_unique(server):
    ids = {server.call_raw("ListUserPools", {"MaxResults": 1}).headers["x-amzn-requestid"]
           for _ in range(5)}
    assert len(ids) == 5


def test_unsigned_iam_operation(server):
    resp = server.call_raw("ListUserPools", {"MaxResults": 5}, signed=False)
    assert_error(resp, "MissingAuthenticationTokenException",
                 AUTH_STATUSES)


def test_bad_signature(server):
    body = json.dumps({"MaxResults": 5}).encode()
    headers = server.sign(LIST_POOLS, body)
    auth = headers["Authorization"]
    sig = auth.rsplit("Signature=", 1)[1]
    flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
    headers["Authorization"] = auth.replace(sig, flipped)
    assert_error(server.raw("POST", "/", body, headers), "InvalidSignatureException",
                 AUTH_STATUSES)


def test_wrong_secret(server):
    akid, _ = server.credentials()
    body = b'{"MaxResults": 5}'
    headers = server.sign(LIST_POOLS, body, akid=akid, secret="not-the-secret")
    assert_error(server.raw("POST", "/", body, headers), "InvalidSignatureException",
                 AUTH_STATUSES)


def test_body_changed_after_signing(server):
    headers = server.sign(LIST_POOLS, b'{"MaxResults": 5}')
    assert_error(server.raw("POST", "/", b'{"MaxResults": 6}', headers),
                 "InvalidSignatureException",
                 AUTH_STATUSES)


def test_unknown_access_key(server):
    body = b'{"MaxResults": 5}'
    headers = server.sign(LIST_POOLS, body, akid="AKIAUNKNOWNKEY000000", secret="x" * 40)
    assert_error(server.raw("POST", "/", body, headers), "UnrecognizedClientException",
                 AUTH_STATUSES)


def test_malformed_authorization_header(server):
    body = b'{"MaxResults": 5}'
    headers = server.sign(LIST_POOLS, body)
    headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=garbage"
    resp = server.raw("POST", "/", body, headers)
    assert resp.status in AUTH_STATUSES
    assert resp.error_type in ("IncompleteSignatureException", "InvalidSignatureException",
                 AUTH_STATUSES)


def test_expired_signature(server):
    # Signed for a moment 20 minutes ago: outside AWS's 5-minute window.
    body = b'{"MaxResults": 5}'
    import datetime
    from unittest import mock

    past = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    with mock.patch("botocore.auth.datetime") as dt:
        dt.datetime.utcnow.return_value = past
        dt.datetime.now.return_value = past
        headers = server.sign(LIST_POOLS, body)
    assert past.strftime("%Y%m%dT%H%M") in headers["X-Amz-Date"]
    resp = server.raw("POST", "/", body, headers)
    assert resp.status in AUTH_STATUSES
    assert resp.error_type in ("InvalidSignatureException", "RequestExpired",
                               "SignatureDoesNotMatch"), resp.body


def test_signature_for_other_region_is_accepted(server):
    # The region is whatever the client was configured with (taken from the scope).
    resp = server.call_raw("ListUserPools", {"MaxResults": 5}, region="eu-west-1")
    assert resp.status == 200, resp.body


def test_js_style_signed_headers(server):
    # JS SDK v3 signs more headers and adds x-amz-content-sha256.
    body = b'{"MaxResults":5}'
    import hashlib

    extra = {"x-amz-content-sha256": hashlib.sha256(body).hexdigest(),
             "amz-sdk-invocation-id": "dae2e582-072f-4e80-89b6-bb95c1416f4a",
             "amz-sdk-request": "attempt=1; max=1", "x-amz-user-agent": "aws-sdk-js/3.1168.0"}
    headers = server.sign(LIST_POOLS, body, extra_headers=extra)
    resp = server.raw("POST", "/", body, headers)
    assert resp.status == 200, resp.body


def test_unknown_target(server):
    resp = server.call_raw("AWSCognitoIdentityProviderService.NoSuchOperation", {})
    assert resp.status == 400
    assert resp.error_type == "UnknownOperationException", resp.body


def test_unknown_service_prefix(server):
    resp = server.call_raw("DynamoDB_20120810.ListTables", {})
    assert resp.status == 400
    assert resp.error_type == "UnknownOperationException", resp.body


def test_missing_target(server):
    resp = server.raw("POST", "/", b"{}", {"Content-Type": harness.JSON_CT})
    assert resp.status == 400, resp.body
    assert resp.error_type in ("UnknownOperationException", "MissingAuthenticationTokenException",
                               "SerializationException"), resp.body


@pytest.mark.parametrize("body", [b"{", b"not json", b'{"MaxResults": }', b"[1,2]", b'"x"',
                                  b'{"MaxResults": 5,}', b"\xff\xfe{}"])
def test_malformed_json(server, body):
    resp = server.call_raw("ListUserPools", body)
    assert_error(resp, "SerializationException")


def test_deeply_nested_json(server):
    body = b'{"MaxResults": 5, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    resp = server.call_raw("ListUserPools", body)
    assert resp.status == 400, resp.body
    assert resp.error_type in ("SerializationException", "InvalidParameterException"), resp.body


def test_wrong_member_type(server):
    resp = server.call_raw("ListUserPools", {"MaxResults": "five"})
    assert resp.status == 400, resp.body
    assert resp.error_type in ("SerializationException", "InvalidParameterException"), resp.body


def test_unknown_members_are_ignored(server):
    # Newer SDKs send members older models lack; AWS ignores unknown members.
    resp = server.call_raw("ListUserPools", {"MaxResults": 5, "SomethingNew": {"a": 1}})
    assert resp.status == 200, resp.body


def test_empty_body_is_empty_input(server):
    resp = server.call_raw("ListUserPools", b"")
    # MaxResults is required: a validation error, not a crash or a serialization error.
    assert resp.status == 400, resp.body
    assert resp.error_type in ("InvalidParameterException", "SerializationException"), resp.body


def _read_http_response(sock: socket.socket, timeout: float = 10.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    return data


def test_oversized_body_is_413(server):
    size = 16 * 1024 * 1024
    head = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Content-Type: {harness.JSON_CT}\r\nX-Amz-Target: {LIST_POOLS}\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    with server.raw_socket() as sock:
        sock.sendall(head)
        # A server that checks Content-Length answers before the body arrives; one that
        # counts bytes answers while we send.
        data = _read_http_response(sock, timeout=2.0)
        if not data:
            try:
                chunk = b"x" * 65536
                for _ in range(size // len(chunk)):
                    sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            data = _read_http_response(sock)
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


def test_server_survives_oversized_body(server):
    test_oversized_body_is_413(server)
    assert server.call_raw("ListUserPools", {"MaxResults": 1}).status == 200


def test_health(server):
    resp = server.raw("GET", "/health")
    assert resp.status == 200, resp.body


def test_cors_preflight(server):
    resp = server.raw("OPTIONS", "/", headers={
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent,"
                                          "amz-sdk-invocation-id,amz-sdk-request",
    })
    assert resp.status in (200, 204), resp.body
    allow_origin = resp.headers.get("access-control-allow-origin")
    assert allow_origin in ("*", "http://localhost:3000"), resp.headers
    assert "POST" in resp.headers.get("access-control-allow-methods", "").upper()
    allowed = resp.headers.get("access-control-allow-headers", "").lower()
    assert allowed == "*" or "x-amz-target" in allowed, resp.headers


def test_cors_headers_on_response(server):
    body = b'{"MaxResults": 1}'
    headers = server.sign(LIST_POOLS, body)
    headers["Origin"] = "http://localhost:3000"
    resp = server.raw("POST", "/", body, headers)
    assert resp.status == 200
    assert resp.headers.get("access-control-allow-origin") in ("*", "http://localhost:3000")
    exposed = resp.headers.get("access-control-expose-headers", "").lower()
    assert "x-amzn-requestid" in exposed, resp.headers


def test_get_root_is_not_a_crash(server):
    resp = server.raw("GET", "/")
    assert 200 <= resp.status < 500


def test_unknown_path(server):
    resp = server.raw("GET", "/no/such/path")
    assert resp.status in (404, 405), resp.status


def test_not_implemented_operation(server, idp, pool):
    # An operation of the model that Cognate does not serve yet answers a clean error.
    resp = server.call_raw("DescribeRiskConfiguration", {"UserPoolId": pool["Id"]})
    assert resp.status == 400, resp.body
    assert resp.error_type == "UnsupportedOperationException", resp.body


def test_not_implemented_operation_via_boto3(idp, pool):
    with pytest.raises(ClientError) as e:
        idp.describe_risk_configuration(UserPoolId=pool["Id"])
    assert e.value.response["Error"]["Code"] == "UnsupportedOperationException"


def test_keep_alive_connection_serves_many_requests(server):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        for _ in range(20):
            body = b'{"MaxResults": 1}'
            conn.request("POST", "/", body, server.sign(LIST_POOLS, body))
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
    finally:
        conn.close()


def test_garbage_request_line_gets_clean_close(server):
    with server.raw_socket() as sock:
        sock.sendall(b"\x00\x01GARBAGE / HTTP/9.9\r\n\r\n")
        data = _read_http_response(sock, timeout=5)
    assert data == b"" or data.startswith(b"HTTP/1.1 4"), data[:100]
    # And the server is still there.
    time.sleep(0.05)
    assert server.call_raw("ListUserPools", {"MaxResults": 1}).status == 200


def test_access_lines_reach_the_log_in_batches(make_server):
    # Access lines are buffered (docs/operating.md): they appear within about a second without
    # any other log line to push them out, and every one is written by a graceful stop.
    s = make_server()
    ids = []
    for _ in range(3):
        resp = s.call_raw("ListUserPools", {"MaxResults": 1})
        assert resp.status == 200, resp.body
        ids.append(resp.headers["x-amzn-requestid"])
    deadline = time.time() + 5
    while time.time() < deadline and f"access id={ids[0]}" not in s.log_text():
        time.sleep(0.1)
    assert f"access id={ids[0]} method=POST path=/ op=ListUserPools status=200" in s.log_text()
    more = s.call_raw("ListUserPools", {"MaxResults": 1}).headers["x-amzn-requestid"]
    assert s.stop() == 0
    text = s.log_text()
    for rid in ids + [more]:
        assert f"access id={rid} " in text, rid
    # In order, and before the last line of the run.
    assert text.index(f"access id={ids[0]}") < text.index(f"access id={more}") < text.index(
        "info stopped")


def test_dev_mode_accepts_any_signature(make_server):
    s = make_server(extra_args=["--dev"])
    assert "dev" in s.log_text().lower(), "--dev must say so at start"
    body = b'{"MaxResults": 5}'
    headers = s.sign(LIST_POOLS, body, akid="AKIAANYTHING00000000", secret="whatever")
    resp = s.raw("POST", "/", body, headers)
    assert resp.status == 200, resp.body


def test_unsigned_public_operation_needs_no_signature(server, idp, pool):
    # SignUp is served unsigned (authtype none): no MissingAuthenticationToken for it, whatever
    # else it answers.
    resp = server.call_raw("SignUp", {"ClientId": "nosuchclient", "Username": "x@example.com",
                                      "Password": "Passw0rd!"}, signed=False)
    assert resp.error_type != "MissingAuthenticationTokenException", resp.body


def test_many_concurrent_connections(make_server):
    """16 keep-alive connections at once, 100 requests each: every answer 200, server alive."""
    import concurrent.futures
    import http.client

    s = make_server()
    body = b'{"MaxResults": 1}'

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
        statuses = []
        try:
            for j in range(100):
                if j % 2:
                    conn.request("GET", "/health")
                else:
                    conn.request("POST", "/", body, s.sign(LIST_POOLS, body))
                resp = conn.getresponse()
                resp.read()
                statuses.append(resp.status)
        except (OSError, http.client.HTTPException) as e:
            statuses.append(repr(e))
        finally:
            conn.close()
        return statuses

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        results = [st for sts in ex.map(client, range(16)) for st in sts]
    assert s.proc.poll() is None, f"server died (exit {s.proc.returncode}):\n{s.log_text()[-1500:]}"
    bad = [r for r in results if r != 200]
    assert not bad, f"{len(bad)} of {len(results)} requests failed: {bad[:5]}"


def test_invalid_utf8_inside_a_string_value(server):
    """Invalid UTF-8 in a member value is a clean SerializationException, and nothing is created."""
    resp = server.call_raw("CreateUserPool", b'{"PoolName": "utf8probe\xff\xfename"}')
    assert_error(resp, "SerializationException")
    pools = server.call_raw("ListUserPools", {"MaxResults": 60}).json()["UserPools"]
    # "utf8probe" has letters outside hex, so no unique() name can contain it.
    assert all("utf8probe" not in p["Name"] for p in pools)
