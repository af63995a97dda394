"""How triggers reach their functions: HTTP calls signed with HMAC, ARNs resolved through the
server config, and Cognito's errors when a function throws, times out, answers garbage or is
down. Driven through PreSignUp (SignUp) because every pool can have it; what the triggers do
is tested in test_triggers.py."""

from __future__ import annotations

import socket
import time

import pytest
from botocore.exceptions import ClientError

import harness

HANDLERS = "handlers/transport_handlers.mjs"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:confirm-all"


@pytest.fixture(scope="module")
def host(lambda_host):
    return lambda_host(HANDLERS)


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_admin_dsn, lambda_host):
    """A server that knows one function by name (the ARN's function name)."""
    from conftest import ServerFactory  # noqa: PLC0415

    host = lambda_host(HANDLERS)
    root = tmp_path_factory.mktemp("srv")
    factory = ServerFactory(root, pg_admin_dsn)
    s = factory("data", extra_args=["--trigger", f"confirm-all={host.url('confirmAll')}"])
    yield s
    factory.close()


def pool_with(idp, **lambda_config):
    pool = idp.create_user_pool(PoolName=harness.unique("trg"), LambdaConfig=lambda_config)
    pool_id = pool["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="app")
    return pool_id, client["UserPoolClient"]["ClientId"]


def sign_up(idp, client_id, username, email="u@example.com"):
    return idp.sign_up(ClientId=client_id, Username=username, Password="Passw0rd!x",
                       UserAttributes=[{"Name": "email", "Value": email}])


def error_of(call):
    with pytest.raises(ClientError) as err:
        call()
    e = err.value.response["Error"]
    return e["Code"], e["Message"]


def test_arn_resolves_through_server_config_and_call_is_signed(server, idp, host):
    host.clear()
    host.set_secret(server.trigger_secret())
    try:
        pool_id, client_id = pool_with(idp, PreSignUp=ARN)
        name = harness.unique("u")
        resp = sign_up(idp, client_id, name)
        assert resp["UserConfirmed"] is True  # the function's answer took effect
        records = host.records("confirmAll")
        assert len(records) == 1
        assert records[0]["signed"] is True
        assert records[0]["event"]["userName"] == name
        assert records[0]["event"]["userPoolId"] == pool_id
    finally:
        host.set_secret(None)


def test_call_signed_with_another_key_is_refused_by_the_function(server, idp, host):
    host.set_secret("not-the-server-secret")
    try:
        _, client_id = pool_with(idp, PreSignUp=host.url("confirmAll"))
        name = harness.unique("u")
        code, message = error_of(lambda: sign_up(idp, client_id, name))
        assert code == "UserLambdaValidationException"
        assert message == "PreSignUp failed with error bad signature."
    finally:
        host.set_secret(None)


def test_thrown_error_reaches_the_caller_and_no_user_is_left(server, idp, host):
    pool_id, client_id = pool_with(idp, PreSignUp=host.url("rejectDomain"))
    name = harness.unique("u")
    code, message = error_of(lambda: sign_up(idp, client_id, name, "x@evil.test"))
    assert code == "UserLambdaValidationException"
    assert message == "PreSignUp failed with error Domain of x@evil.test is not allowed."
    code, _ = error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username=name))
    assert code == "UserNotFoundException"
    # The same function lets a good address through.
    assert sign_up(idp, client_id, name, "ok@example.com")["UserConfirmed"] is False


def test_function_that_times_out(server, idp, host):
    pool_id, client_id = pool_with(idp, PreSignUp=host.url("_sleep") + "?ms=8000")
    name = harness.unique("u")
    started = time.monotonic()
    code, message = error_of(lambda: sign_up(idp, client_id, name))
    elapsed = time.monotonic() - started
    assert code == "UnexpectedLambdaException"
    assert message == ("PreSignUp invocation failed due to error Socket timeout while invoking "
                       "Lambda function.")
    assert 4.5 <= elapsed < 7.5, elapsed  # Cognito's 5 seconds
    code, _ = error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username=name))
    assert code == "UserNotFoundException"


@pytest.mark.parametrize("handler", ["_garbage", "returnsNothing"])
def test_function_that_answers_garbage(server, idp, host, handler):
    _, client_id = pool_with(idp, PreSignUp=host.url(handler))
    code, message = error_of(lambda: sign_up(idp, client_id, harness.unique("u")))
    assert code == "InvalidLambdaResponseException"
    assert message == "Unrecognizable lambda output"


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.mark.parametrize("target", ["down", "http-500", "unknown-arn"])
def test_function_that_is_down(server, idp, host, target):
    value = {
        "down": f"http://127.0.0.1:{closed_port()}/preSignUp",
        "http-500": host.url("_status") + "?code=502",
        "unknown-arn": "arn:aws:lambda:us-east-1:123456789012:function:nobody",
    }[target]
    pool_id, client_id = pool_with(idp, PreSignUp=value)
    name = harness.unique("u")
    started = time.monotonic()
    code, message = error_of(lambda: sign_up(idp, client_id, name))
    assert time.monotonic() - started < 3
    assert code == "UnexpectedLambdaException"
    reason = "ResourceNotFoundException" if target == "unknown-arn" else "ServiceException"
    assert message == f"PreSignUp invocation failed due to error {reason}."
    code, _ = error_of(lambda: idp.admin_get_user(UserPoolId=pool_id, Username=name))
    assert code == "UserNotFoundException"


def test_trigger_secret_is_written_once_and_kept(server):
    secret = server.trigger_secret()
    assert len(secret) == 64 and int(secret, 16) >= 0
    mode = (server.data_dir / "trigger-secret").stat().st_mode & 0o777
    assert mode == 0o600
    assert secret not in server.log_text()
