"""PreTokenGeneration end to end: a Node lambda host runs tests/e2e/handlers/pretoken_handlers.mjs,
the pool names its handlers in LambdaConfig, and boto3 signs in. Each test asserts on the events
the handler received, field by field, and on the claims of the tokens issued."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import harness

HANDLERS = str(Path(__file__).resolve().parent / "handlers" / "pretoken_handlers.mjs")
PASSWORD = "Corr3ct-horse!"
ADMIN_SCOPE = "aws.cognito.signin.user.admin"
ROLE_A = "arn:aws:iam::123456789012:role/a"


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


NAMES = ["v1Claims", "v2Claims", "reserved", "failing", "garbage", "passthrough"]


def arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:123456789012:function:{name}"


class Host:
    """The lambda host, with each handler named by a Lambda ARN that the server's [triggers]
    config resolves to the host (the way a deployment names its functions)."""

    def __init__(self, lambda_host):
        self.inner = lambda_host

    def url(self, name: str) -> str:
        return arn(name)

    def __getattr__(self, attr):
        return getattr(self.inner, attr)


@pytest.fixture(scope="module")
def host(lambda_host):
    return Host(lambda_host(HANDLERS))


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_admin_dsn, host):
    """This module's server: the conftest one plus --trigger ARN=URL for every handler."""
    args = []
    for name in NAMES:
        args += ["--trigger", f"{arn(name)}={host.inner.url(name)}"]
    database = harness.create_pg_database(pg_admin_dsn) if pg_admin_dsn else None
    s = harness.CognateServer(tmp_path_factory.mktemp("pretoken") / "data", database=database,
                              extra_args=args)
    s.start()
    yield s
    s.stop()
    if database:
        harness.drop_pg_database(pg_admin_dsn, database)


@pytest.fixture(autouse=True)
def fresh_host(host):
    host.clear()
    host.set_state({})


def make_pool(idp, lambda_config, server=None):
    """A pool with `lambda_config` and one client. PreTokenGenerationConfig is newer than Debian's
    botocore, so such a pool is created with a raw (signed) request through `server`."""
    request = {
        "PoolName": harness.unique("pretoken"),
        "Schema": [{"Name": "email", "AttributeDataType": "String", "Mutable": True},
                   {"Name": "given_name", "AttributeDataType": "String", "Mutable": True}],
        "LambdaConfig": lambda_config}
    if server is not None:
        resp = server.call_raw("CreateUserPool", request)
        assert resp.status == 200, resp.body
        pool = resp.json()["UserPool"]
        assert pool["LambdaConfig"] == lambda_config
    else:
        pool = idp.create_user_pool(**request)["UserPool"]
    client = idp.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]
    return pool["Id"], client["ClientId"]


def make_user(idp, pool_id, username="alice", group=True):
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                          {"Name": "email_verified", "Value": "true"},
                                          {"Name": "given_name", "Value": "Alice"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD,
                                Permanent=True)
    if group:
        idp.create_group(UserPoolId=pool_id, GroupName="admins", RoleArn=ROLE_A, Precedence=1)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="admins")
    return idp.admin_get_user(UserPoolId=pool_id, Username=username)


def sub_of(user):
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")


def sign_in(idp, client_id, username="alice", metadata=None):
    kwargs = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
              "AuthParameters": {"USERNAME": username, "PASSWORD": PASSWORD}}
    if metadata:
        kwargs["ClientMetadata"] = metadata
    return idp.initiate_auth(**kwargs)["AuthenticationResult"]


def assert_event(event, *, version, source, pool_id, client_id, username, sub, scopes=None,
                 metadata=None):
    """The whole event Cognito sends, field by field."""
    assert sorted(event) == ["callerContext", "region", "request", "response", "triggerSource",
                             "userName", "userPoolId", "version"]
    assert event["version"] == version
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == username
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown",
                                      "clientId": client_id}
    request = event["request"]
    expected_keys = ["clientMetadata", "groupConfiguration", "userAttributes"]
    if scopes is not None:
        expected_keys.append("scopes")
        assert request["scopes"] == scopes
    assert sorted(request) == sorted(expected_keys)
    assert request["userAttributes"] == {
        "sub": sub, "email": f"{username}@example.com", "email_verified": "true",
        "given_name": "Alice", "cognito:user_status": "CONFIRMED"}
    assert request["groupConfiguration"] == {"groupsToOverride": ["admins"],
                                             "iamRolesToOverride": [ROLE_A],
                                             "preferredRole": ROLE_A}
    assert request["clientMetadata"] == (metadata or {})
    key = "claimsOverrideDetails" if version == "1" else "claimsAndScopeOverrideDetails"
    assert event["response"] == {key: None}


def test_v1_changes_the_id_token_on_sign_in_and_refresh(server, idp, host):
    pool_id, client_id = make_pool(idp, {"PreTokenGeneration": host.url("v1Claims")})
    sub = sub_of(make_user(idp, pool_id))
    tokens = sign_in(idp, client_id, metadata={"app": "web"})

    events = host.events("v1Claims")
    assert len(events) == 1
    assert_event(events[0], version="1", source="TokenGeneration_Authentication",
                 pool_id=pool_id, client_id=client_id, username="alice", sub=sub,
                 metadata={"app": "web"})

    id_claims = claims(tokens["IdToken"])
    assert id_claims["tenant"] == "acme"
    assert id_claims["source"] == "TokenGeneration_Authentication"
    assert id_claims["meta"] == "web"
    assert id_claims["email"] == "overridden@example.com"
    assert "given_name" not in id_claims
    assert id_claims["cognito:groups"] == ["admins", "from-trigger"]
    assert id_claims["cognito:roles"] == ["arn:aws:iam::123456789012:role/trigger"]
    assert id_claims["cognito:preferred_role"] == "arn:aws:iam::123456789012:role/trigger"
    assert id_claims["sub"] == sub and id_claims["cognito:username"] == "alice"
    # V1 leaves the access token as Cognito issues it.
    access = claims(tokens["AccessToken"])
    assert "tenant" not in access
    assert access["cognito:groups"] == ["admins"]
    assert access["scope"] == ADMIN_SCOPE

    refreshed = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                  AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
                                  ClientMetadata={"app": "cli"})["AuthenticationResult"]
    events = host.events("v1Claims")
    assert len(events) == 2
    assert_event(events[1], version="1", source="TokenGeneration_RefreshTokens",
                 pool_id=pool_id, client_id=client_id, username="alice", sub=sub,
                 metadata={"app": "cli"})
    assert claims(refreshed["IdToken"])["source"] == "TokenGeneration_RefreshTokens"
    assert claims(refreshed["IdToken"])["meta"] == "cli"

    # GetTokensFromRefreshToken too, and the admin flow.
    # (GetTokensFromRefreshToken is newer than Debian's botocore: sent raw.)
    got = server.call_raw("GetTokensFromRefreshToken",
                          {"ClientId": client_id, "RefreshToken": tokens["RefreshToken"],
                           "ClientMetadata": {"app": "sdk"}}, signed=False)
    assert got.status == 200, got.body
    assert claims(got.json()["AuthenticationResult"]["IdToken"])["meta"] == "sdk"
    idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD})
    sources = [e["triggerSource"] for e in host.events("v1Claims")]
    assert sources == ["TokenGeneration_Authentication", "TokenGeneration_RefreshTokens",
                       "TokenGeneration_RefreshTokens", "TokenGeneration_Authentication"]


def test_new_password_challenge_source(idp, host):
    pool_id, client_id = make_pool(idp, {"PreTokenGeneration": host.url("passthrough")})
    idp.admin_create_user(UserPoolId=pool_id, Username="newbie", MessageAction="SUPPRESS",
                          TemporaryPassword="Temp0rary!pass")
    challenge = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                  AuthParameters={"USERNAME": "newbie",
                                                  "PASSWORD": "Temp0rary!pass"})
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    assert host.events("passthrough") == []
    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "newbie", "NEW_PASSWORD": PASSWORD},
        ClientMetadata={"step": "new-password"})
    assert "IdToken" in done["AuthenticationResult"]
    events = host.events("passthrough")
    assert len(events) == 1
    event = events[0]
    assert event["triggerSource"] == "TokenGeneration_NewPasswordChallenge"
    assert event["userName"] == "newbie"
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["groupConfiguration"] == {
        "groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": None}
    assert event["request"]["clientMetadata"] == {"step": "new-password"}
    # A handler returning the event untouched changes nothing.
    id_claims = claims(done["AuthenticationResult"]["IdToken"])
    assert "cognito:groups" not in id_claims and id_claims["cognito:username"] == "newbie"


@pytest.mark.parametrize("version", ["V2_0", "V3_0"])
def test_v2_and_v3_change_both_tokens_and_scopes(server, idp, host, version):
    pool_id, client_id = make_pool(idp, {
        "PreTokenGenerationConfig": {"LambdaArn": host.url("v2Claims"), "LambdaVersion": version}},
        server)
    sub = sub_of(make_user(idp, pool_id))
    tokens = sign_in(idp, client_id)
    events = host.events("v2Claims")
    assert len(events) == 1
    assert_event(events[0], version=version[1], source="TokenGeneration_Authentication",
                 pool_id=pool_id, client_id=client_id, username="alice", sub=sub,
                 scopes=[ADMIN_SCOPE])

    id_claims = claims(tokens["IdToken"])
    assert id_claims["plan"] == {"tier": "gold", "seats": 5}
    assert "email" not in id_claims
    assert id_claims["cognito:groups"] == ["v2-group"]
    access = claims(tokens["AccessToken"])
    assert access["tenant"] == "acme"
    assert access["roles"] == ["reader", "writer"]
    assert access["beta"] is True
    assert access["version"] == version[1]
    assert access["cognito:groups"] == ["v2-group"]
    assert access["scope"] == f"{ADMIN_SCOPE} photos/read photos/write"
    # The admin scope is still there: the self-service API takes the token.
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"

    # A refresh sends the granted scopes again, not the ones the trigger added.
    idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    events = host.events("v2Claims")
    assert len(events) == 2
    assert events[1]["triggerSource"] == "TokenGeneration_RefreshTokens"
    assert events[1]["request"]["scopes"] == [ADMIN_SCOPE]


def test_v2_scope_suppression_reaches_the_door(server, idp, host):
    pool_id, client_id = make_pool(idp, {
        "PreTokenGenerationConfig": {"LambdaArn": host.url("v2Claims"), "LambdaVersion": "V2_0"}},
        server)
    make_user(idp, pool_id)
    host.set_state({"suppressAdminScope": True})
    tokens = sign_in(idp, client_id)
    assert claims(tokens["AccessToken"])["scope"] == "photos/read photos/write"
    with pytest.raises(ClientError) as e:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(e) == ("NotAuthorizedException", "Access Token does not have required scopes")


def test_legacy_arn_and_config_must_agree(server, idp, host):
    # Cognito keeps PreTokenGeneration and PreTokenGenerationConfig.LambdaArn in step: two
    # different functions are refused, the same one is the config's (its version wins).
    request = {"PoolName": harness.unique("pretoken"), "LambdaConfig": {
        "PreTokenGeneration": host.url("v1Claims"),
        "PreTokenGenerationConfig": {"LambdaArn": host.url("passthrough"),
                                     "LambdaVersion": "V1_0"}}}
    resp = server.call_raw("CreateUserPool", request)
    assert resp.status == 400
    assert resp.error_type == "InvalidParameterException"
    pool_id, client_id = make_pool(idp, {
        "PreTokenGeneration": host.url("passthrough"),
        "PreTokenGenerationConfig": {"LambdaArn": host.url("passthrough"),
                                     "LambdaVersion": "V1_0"}}, server)
    make_user(idp, pool_id, group=False)
    before = len(host.events("passthrough"))
    sign_in(idp, client_id)
    assert host.events("v1Claims") == []
    events = host.events("passthrough")
    assert len(events) == before + 1
    assert events[-1]["version"] == "1"


def test_config_version_wins_over_legacy_arn(server, idp, host):
    # Cognito wants both members to name the same function; the config's version applies.
    pool_id, client_id = make_pool(idp, {
        "PreTokenGeneration": host.url("v2Claims"),
        "PreTokenGenerationConfig": {"LambdaArn": host.url("v2Claims"),
                                     "LambdaVersion": "V2_0"}}, server)
    make_user(idp, pool_id, group=False)
    tokens = sign_in(idp, client_id)
    events = host.events("v2Claims")
    assert len(events) == 1 and events[0]["version"] == "2"
    assert claims(tokens["AccessToken"])["tenant"] == "acme"


def test_reserved_claims_stay_as_issued(idp, host):
    pool_id, client_id = make_pool(idp, {"PreTokenGeneration": host.url("reserved")})
    sub = sub_of(make_user(idp, pool_id))
    tokens = sign_in(idp, client_id)
    id_claims = claims(tokens["IdToken"])
    assert id_claims["allowed"] == "yes"
    assert id_claims["sub"] == sub
    assert id_claims["aud"] == client_id
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["cognito:groups"] == ["admins"]
    assert id_claims["iss"].endswith("/" + pool_id)
    assert isinstance(id_claims["exp"], int) and isinstance(id_claims["iat"], int)
    for name in ("nonce", "acr", "amr", "identities", "dev:custom:x"):
        assert name not in id_claims
    assert "evil" not in json.dumps(id_claims)


def test_handler_errors_reach_the_caller(idp, host):
    pool_id, client_id = make_pool(idp, {"PreTokenGeneration": host.url("failing")})
    make_user(idp, pool_id)
    host.set_state({"fail": True})
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == ("UserLambdaValidationException",
                           "PreTokenGeneration failed with error no tokens for you.")
    # A failing refresh leaves the refresh token usable.
    host.set_state({"fail": False})
    tokens = sign_in(idp, client_id)
    host.set_state({"fail": True})
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert error_of(e)[0] == "UserLambdaValidationException"
    host.set_state({"fail": False})
    idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})

    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreTokenGeneration":
                                                           host.url("garbage")})
    with pytest.raises(ClientError) as e:
        sign_in(idp, client_id)
    assert error_of(e) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_remembered_device_source(idp, host):
    # Reuses the device client of test_devices.py (SRP verifier, DEVICE_SRP_AUTH answers).
    from test_auth import ALL_FLOWS, make_client
    from test_auth import make_user as make_plain_user
    from test_devices import ALWAYS, device_challenge, remember
    from test_devices import sign_in as device_sign_in

    pool_id = idp.create_user_pool(
        PoolName=harness.unique("pretoken-dev"), DeviceConfiguration=ALWAYS,
        LambdaConfig={"PreTokenGeneration": host.url("passthrough")})["UserPool"]["Id"]
    client_id = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    make_plain_user(idp, pool_id, "eve")
    device, _ = remember(idp, client_id, "eve")
    step = device_sign_in(idp, client_id, "eve", device_key=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert len(host.events("passthrough")) == 1  # the first sign-in only, so far
    done = device_challenge(idp, client_id, "eve", device, step["Session"])
    assert claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    sources = [e["triggerSource"] for e in host.events("passthrough")]
    assert sources == ["TokenGeneration_Authentication", "TokenGeneration_AuthenticateDevice"]
    assert host.events("passthrough")[1]["userName"] == "eve"
