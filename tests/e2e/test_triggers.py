"""Lambda-compatible user-lifecycle triggers end to end: LambdaConfig on Create/UpdateUserPool,
PreSignUp, PostConfirmation, PreAuthentication / PostAuthentication, CustomMessage_* and the
custom senders, with the handlers in handlers/hooks_handlers.mjs hosted by the Lambda host.
Every event is checked field by field against Cognito's trigger contract."""

from __future__ import annotations

import base64
import os

import pytest
from botocore.exceptions import ClientError

from harness import unique
from test_auth import PASSWORD, SrpClient, error_of, make_client

HANDLERS = "handlers/hooks_handlers.mjs"
CODE = "123456"  # --dev-fixed-code
KMS_ARN = "arn:aws:kms:us-east-1:000000000000:key/hooks-e2e"
KMS_KEY = base64.b64encode(os.urandom(32)).decode()
ALL_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_admin_dsn):
    """A server with a fixed code (so tests can confirm) and the custom senders' key."""
    from conftest import ServerFactory

    factory = ServerFactory(tmp_path_factory.mktemp("triggers"), pg_admin_dsn)
    s = factory("data", extra_args=["--dev", "--dev-fixed-code", CODE,
                                    "--kms-key", f"{KMS_ARN}={KMS_KEY}"])
    yield s
    factory.close()


@pytest.fixture(scope="module")
def idp(server):
    return server.client()


@pytest.fixture
def host(lambda_host):
    h = lambda_host(HANDLERS)
    h.clear()
    h.set_state({})
    yield h


def make_pool(idp, host, triggers: dict, **kwargs) -> str:
    """A pool with e-mail auto-verified and `triggers` ({member: handler name or structure})."""
    config = {k: (host.url(v) if isinstance(v, str) and k != "KMSKeyID" else v)
              for k, v in triggers.items()}
    return idp.create_user_pool(PoolName=unique("trg"), AutoVerifiedAttributes=["email"],
                                LambdaConfig=config, **kwargs)["UserPool"]["Id"]


def sender(host, name):
    return {"LambdaVersion": "V1_0", "LambdaArn": host.url(name)}


def attrs(user_attributes) -> dict:
    return {a["Name"]: a["Value"] for a in user_attributes}


def check_envelope(event, source, pool_id, username, client_id="CLIENT_ID_NOT_APPLICABLE"):
    assert event["version"] == "1"
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == username
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown",
                                      "clientId": client_id}
    assert set(event) == {"version", "triggerSource", "region", "userPoolId", "userName",
                          "callerContext", "request", "response"}


def raw(server, op, **payload):
    """An operation sent as is (Debian's botocore predates PreTokenGenerationConfig and
    UserPoolTier): (status, JSON answer)."""
    r = server.call_raw(op, payload)
    return r.status, r.json()


def sign_up(idp, cid, name, **kwargs):
    return idp.sign_up(ClientId=cid, Username=name, Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}], **kwargs)


# ---- LambdaConfig -----------------------------------------------------------------------------


def test_lambda_config_round_trip(server, idp, host):
    config = {
        "PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up",
        "CustomMessage": host.url("customMessage"),
        "PostConfirmation": "arn:aws:lambda:us-east-1:123456789012:function:post:live",
        "PreAuthentication": host.url("preAuthentication"),
        "PostAuthentication": host.url("postAuthentication"),
        "DefineAuthChallenge": "arn:aws:lambda:us-east-1:123456789012:function:define",
        "CreateAuthChallenge": "arn:aws:lambda:us-east-1:123456789012:function:create",
        "VerifyAuthChallengeResponse": "arn:aws:lambda:us-east-1:123456789012:function:verify",
        "UserMigration": "arn:aws:lambda:us-east-1:123456789012:function:migrate",
        "PreTokenGeneration": "arn:aws:lambda:us-east-1:123456789012:function:token",
        "PreTokenGenerationConfig": {
            "LambdaVersion": "V2_0",
            "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:token"},
        "CustomSMSSender": sender(host, "customSmsSender"),
        "CustomEmailSender": {"LambdaVersion": "V1_0",
                              "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:mail"},
        "KMSKeyID": KMS_ARN,
    }
    status, created = raw(server, "CreateUserPool", PoolName=unique("cfg"), LambdaConfig=config)
    assert status == 200, created
    pool_id = created["UserPool"]["Id"]
    assert created["UserPool"]["LambdaConfig"] == config
    assert raw(server, "DescribeUserPool", UserPoolId=pool_id)[1]["UserPool"]["LambdaConfig"] == config
    listed = [p for p in raw(server, "ListUserPools", MaxResults=60)[1]["UserPools"]
              if p["Id"] == pool_id]
    assert listed and listed[0]["LambdaConfig"] == config

    idp.update_user_pool(UserPoolId=pool_id, LambdaConfig={"PreSignUp": host.url("preSignUp")})
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == {
        "PreSignUp": host.url("preSignUp")}
    idp.update_user_pool(UserPoolId=pool_id)
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["LambdaConfig"] == {}


@pytest.mark.parametrize("config, code", [
    ({"CustomSMSSender": {"LambdaVersion": "V1_0",
                          "LambdaArn": "arn:aws:lambda:us-east-1:1:function:s"}},
     "InvalidParameterException"),  # no KMSKeyID
    ({"PreSignUp": "arn:aws:sns:us-east-1:123456789012:topic"}, "InvalidParameterException"),
    ({"PreSignUp": "ftp://example.com/x"}, "InvalidParameterException"),
    ({"KMSKeyID": "arn:aws:lambda:us-east-1:123456789012:function:f"},
     "InvalidParameterException"),
    ({"PreTokenGeneration": "arn:aws:lambda:us-east-1:1:function:a",
      "PreTokenGenerationConfig": {"LambdaVersion": "V1_0",
                                   "LambdaArn": "arn:aws:lambda:us-east-1:1:function:b"}},
     "InvalidParameterException"),
])
def test_lambda_config_refused(server, config, code):
    status, answer = raw(server, "CreateUserPool", PoolName=unique("bad"), LambdaConfig=config)
    assert status == 400
    assert answer["__type"].rsplit("#", 1)[-1] == code


def test_lambda_config_tier(server):
    config = {"PreTokenGenerationConfig": {
        "LambdaVersion": "V3_0", "LambdaArn": "arn:aws:lambda:us-east-1:1:function:t"}}
    status, answer = raw(server, "CreateUserPool", PoolName=unique("lite"), LambdaConfig=config,
                         UserPoolTier="LITE")
    assert status == 400
    assert answer["__type"].rsplit("#", 1)[-1] == "FeatureUnavailableInTierException"
    status, answer = raw(server, "CreateUserPool", PoolName=unique("plus"), LambdaConfig=config,
                         UserPoolTier="PLUS")
    assert status == 200, answer


# ---- PreSignUp --------------------------------------------------------------------------------


def test_pre_sign_up_confirms_and_verifies(idp, host):
    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUp"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    host.set_state({"preSignUp": {"autoConfirmUser": True, "autoVerifyEmail": True}})
    name = unique("ann")
    out = sign_up(idp, cid, name, ValidationData=[{"Name": "invite", "Value": "X-1"}],
                  ClientMetadata={"app": "web"})
    assert out["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in out

    [event] = host.events("preSignUp")
    check_envelope(event, "PreSignUp_SignUp", pool_id, name, cid)
    assert event["request"] == {"userAttributes": {"email": f"{name}@example.com"},
                                "validationData": {"invite": "X-1"},
                                "clientMetadata": {"app": "web"}}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyPhone": False,
                                 "autoVerifyEmail": False}

    user = idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    # Confirmed by the trigger: the user signs in at once.
    idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})


def test_pre_sign_up_without_decision_sends_the_code(server, idp, host):
    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUp"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("bea")
    out = sign_up(idp, cid, name)
    assert out["UserConfirmed"] is False
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    [event] = host.events("preSignUp")
    assert event["request"]["validationData"] is None
    assert event["request"]["clientMetadata"] == {}
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "UNCONFIRMED"


def test_pre_sign_up_rejection_reaches_the_client(idp, host):
    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUp"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    host.set_state({"preSignUp": {"reject": "Sign-ups are closed"}})
    name = unique("cid")
    with pytest.raises(ClientError) as e:
        sign_up(idp, cid, name)
    assert error_of(e) == ("UserLambdaValidationException",
                           "PreSignUp failed with error Sign-ups are closed.")
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pool_id, Username=name)
    assert error_of(e)[0] == "UserNotFoundException"


def test_pre_sign_up_bad_answers(idp, host):
    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUpBadType"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(idp, cid, unique("dan"))
    assert error_of(e) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")

    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUp"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    host.set_state({"preSignUp": {"autoVerifyPhone": True}})  # the user has no phone number
    with pytest.raises(ClientError) as e:
        sign_up(idp, cid, unique("dan"))
    assert error_of(e)[0] == "InvalidParameterException"


@pytest.mark.parametrize("handler, code, message", [
    ("_garbage", "InvalidLambdaResponseException", "Unrecognizable lambda output"),
    ("_sleep?ms=7000", "UnexpectedLambdaException", None),
])
def test_pre_sign_up_transport_failures(idp, host, handler, code, message):
    pool_id = make_pool(idp, host, {"PreSignUp": handler})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(idp, cid, unique("eve"))
    assert error_of(e)[0] == code
    if message:
        assert error_of(e)[1] == message
    else:
        assert error_of(e)[1].startswith("PreSignUp invocation failed due to error")


def test_pre_sign_up_function_down(idp):
    config = {"PreSignUp": "http://127.0.0.1:9/preSignUp"}  # discard port: nothing listens
    pool_id = idp.create_user_pool(PoolName=unique("down"), LambdaConfig=config)["UserPool"]["Id"]
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    with pytest.raises(ClientError) as e:
        idp.sign_up(ClientId=cid, Username=unique("fay"), Password=PASSWORD)
    code, message = error_of(e)
    assert code == "UnexpectedLambdaException"
    assert message.startswith("PreSignUp invocation failed due to error")


def test_pre_sign_up_admin_create_user(idp, host):
    pool_id = make_pool(idp, host, {"PreSignUp": "preSignUp"})
    host.set_state({"preSignUp": {"autoVerifyEmail": True, "autoConfirmUser": True}})
    name = unique("gus")
    user = idp.admin_create_user(
        UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        ValidationData=[{"Name": "source", "Value": "import"}],
        ClientMetadata={"batch": "7"})["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"  # autoConfirmUser does not apply
    assert attrs(user["Attributes"])["email_verified"] == "true"
    [event] = host.events("preSignUp")
    check_envelope(event, "PreSignUp_AdminCreateUser", pool_id, name)
    assert event["request"] == {"userAttributes": {"email": f"{name}@example.com"},
                                "validationData": {"source": "import"},
                                "clientMetadata": {"batch": "7"}}


# ---- PostConfirmation -------------------------------------------------------------------------


def test_post_confirmation_sources(idp, host):
    pool_id = make_pool(idp, host, {"PostConfirmation": "postConfirmation"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("hal")
    sub = sign_up(idp, cid, name)["UserSub"]
    assert host.events("postConfirmation") == []
    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE,
                        ClientMetadata={"step": "confirm"})
    [event] = host.events("postConfirmation")
    check_envelope(event, "PostConfirmation_ConfirmSignUp", pool_id, name, cid)
    assert event["request"] == {
        "userAttributes": {"sub": sub, "email": f"{name}@example.com", "email_verified": "true",
                           "cognito:user_status": "CONFIRMED"},
        "clientMetadata": {"step": "confirm"}}
    assert event["response"] == {}

    host.clear()
    idp.forgot_password(ClientId=cid, Username=name)
    idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=CODE,
                                Password="N3w-Passw0rd!", ClientMetadata={"step": "reset"})
    [event] = host.events("postConfirmation")
    check_envelope(event, "PostConfirmation_ConfirmForgotPassword", pool_id, name, cid)
    assert event["request"]["clientMetadata"] == {"step": "reset"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"

    host.clear()
    other = unique("ida")
    sign_up(idp, cid, other)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=other, ClientMetadata={"by": "admin"})
    [event] = host.events("postConfirmation")
    check_envelope(event, "PostConfirmation_ConfirmSignUp", pool_id, other)
    assert event["request"]["clientMetadata"] == {"by": "admin"}


def test_post_confirmation_failure_keeps_the_confirmation(idp, host):
    pool_id = make_pool(idp, host, {"PostConfirmation": "postConfirmation"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    host.set_state({"postConfirmationFails": True})
    name = unique("jon")
    sign_up(idp, cid, name)
    with pytest.raises(ClientError) as e:
        idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    assert error_of(e) == ("UserLambdaValidationException",
                           "PostConfirmation failed with error welcome e-mail failed.")
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"


# ---- PreAuthentication / PostAuthentication ---------------------------------------------------


def test_pre_and_post_authentication_on_every_sign_in_flow(idp, host):
    pool_id = make_pool(idp, host, {"PreAuthentication": "preAuthentication",
                                    "PostAuthentication": "postAuthentication"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("kim")
    sub = sign_up(idp, cid, name)["UserSub"]
    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    user_attributes = {"sub": sub, "email": f"{name}@example.com", "email_verified": "true",
                       "cognito:user_status": "CONFIRMED"}

    # USER_PASSWORD_AUTH
    out = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
                            ClientMetadata={"flow": "password"})
    refresh = out["AuthenticationResult"]["RefreshToken"]
    [pre] = host.events("preAuthentication")
    check_envelope(pre, "PreAuthentication_Authentication", pool_id, name, cid)
    assert pre["request"] == {"userAttributes": user_attributes,
                              "validationData": {"flow": "password"}}
    assert pre["response"] == {}
    [post] = host.events("postAuthentication")
    check_envelope(post, "PostAuthentication_Authentication", pool_id, name, cid)
    assert post["request"] == {"userAttributes": user_attributes, "newDeviceUsed": False,
                               "clientMetadata": {"flow": "password"}}
    assert post["response"] == {}

    # ADMIN_USER_PASSWORD_AUTH
    host.clear()
    idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert [e["triggerSource"] for e in host.events()] == [
        "PreAuthentication_Authentication", "PostAuthentication_Authentication"]

    # USER_SRP_AUTH: PreAuthentication at InitiateAuth, PostAuthentication with the tokens.
    host.clear()
    client = SrpClient(pool_id)
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": name, "SRP_A": client.srp_a})
    assert [e["triggerSource"] for e in host.events()] == ["PreAuthentication_Authentication"]
    idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                  ChallengeResponses=client.claim(ch["ChallengeParameters"],
                                                                  PASSWORD),
                                  ClientMetadata={"step": "verifier"})
    events = host.events()
    assert [e["triggerSource"] for e in events] == [
        "PreAuthentication_Authentication", "PostAuthentication_Authentication"]
    assert events[1]["request"]["clientMetadata"] == {"step": "verifier"}

    # Refresh runs neither.
    host.clear()
    idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                      AuthParameters={"REFRESH_TOKEN": refresh})
    assert host.events() == []


def test_post_authentication_new_device(idp, host):
    pool_id = make_pool(idp, host, {"PostAuthentication": "postAuthentication"},
                        DeviceConfiguration={"ChallengeRequiredOnNewDevice": False,
                                             "DeviceOnlyRememberedOnUserPrompt": False})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("mia")
    sign_up(idp, cid, name)
    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    out = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
    assert "NewDeviceMetadata" in out["AuthenticationResult"]
    [event] = host.events("postAuthentication")
    assert event["request"]["newDeviceUsed"] is True


def test_pre_and_post_authentication_around_custom_auth(idp, host):
    pool_id = make_pool(idp, host, {
        "PreAuthentication": "preAuthentication", "PostAuthentication": "postAuthentication",
        "DefineAuthChallenge": "defineAuthChallenge", "CreateAuthChallenge": "createAuthChallenge",
        "VerifyAuthChallengeResponse": "verifyAuthChallengeResponse"})
    cid = make_client(idp, pool_id, ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH"])["ClientId"]
    name = unique("nia")
    sign_up(idp, cid, name)
    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="CUSTOM_AUTH", AuthParameters={"USERNAME": name},
                           ClientMetadata={"flow": "custom"})
    assert ch["ChallengeName"] == "CUSTOM_CHALLENGE"
    [pre] = host.events("preAuthentication")
    check_envelope(pre, "PreAuthentication_Authentication", pool_id, name, cid)
    assert pre["request"]["validationData"] == {"flow": "custom"}
    assert host.events("postAuthentication") == []
    idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="CUSTOM_CHALLENGE",
                                  Session=ch["Session"],
                                  ChallengeResponses={"USERNAME": name, "ANSWER": "42"})
    assert len(host.events("preAuthentication")) == 1  # once per InitiateAuth
    [post] = host.events("postAuthentication")
    check_envelope(post, "PostAuthentication_Authentication", pool_id, name, cid)
    assert post["request"]["newDeviceUsed"] is False


def test_pre_authentication_blocks_before_the_password(idp, host):
    pool_id = make_pool(idp, host, {"PreAuthentication": "preAuthentication",
                                    "PostAuthentication": "postAuthentication"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("lou")
    sign_up(idp, cid, name)
    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    host.set_state({"blocked": name})
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": name, "PASSWORD": "wrong-password"})
    assert error_of(e) == ("UserLambdaValidationException",
                           "PreAuthentication failed with error User is blocked.")
    assert host.events("postAuthentication") == []


def test_pre_authentication_unknown_user(idp, host):
    pool_id = make_pool(idp, host, {"PreAuthentication": "preAuthentication"})
    legacy = make_client(idp, pool_id, ALL_FLOWS, PreventUserExistenceErrors="LEGACY")["ClientId"]
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=legacy, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})
    assert error_of(e)[0] == "UserNotFoundException"
    assert host.events("preAuthentication") == []

    hidden = make_client(idp, pool_id, ALL_FLOWS, PreventUserExistenceErrors="ENABLED")["ClientId"]
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=hidden, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD})
    assert error_of(e)[0] == "NotAuthorizedException"
    [event] = host.events("preAuthentication")
    check_envelope(event, "PreAuthentication_Authentication", pool_id, "nobody", hidden)
    assert event["request"] == {"userAttributes": {}, "userNotFound": True, "validationData": {}}


def test_pre_authentication_needs_the_secret_hash_first(idp, host):
    pool_id = make_pool(idp, host, {"PreAuthentication": "preAuthentication"})
    # ENABLED: without the check first, an unknown name would reach the function.
    cid = make_client(idp, pool_id, ALL_FLOWS, GenerateSecret=True,
                      PreventUserExistenceErrors="ENABLED")["ClientId"]
    before = len(host.events("preAuthentication"))
    for params in ({"USERNAME": "nobody", "PASSWORD": PASSWORD, "SECRET_HASH": "AAAA"},
                   {"USERNAME": "nobody", "PASSWORD": PASSWORD}):
        with pytest.raises(ClientError) as e:
            idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)
        assert error_of(e)[0] == "NotAuthorizedException"
    assert len(host.events("preAuthentication")) == before  # the function never ran


# ---- CustomMessage ----------------------------------------------------------------------------


def last_mail(server, to):
    mails = [m for m in server.outbox() if m["destination"] == to]
    assert mails, f"no message to {to}"
    return mails[-1]


def test_custom_message_for_every_code(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomMessage": "customMessage"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("max")
    email = f"{name}@example.com"
    sub = sign_up(idp, cid, name, ClientMetadata={"lang": "en"})["UserSub"]
    [event] = host.events("customMessage")
    check_envelope(event, "CustomMessage_SignUp", pool_id, name, cid)
    assert event["request"] == {
        "userAttributes": {"sub": sub, "email": email, "cognito:user_status": "UNCONFIRMED"},
        "codeParameter": "{####}", "linkParameter": "{##Click Here##}",
        "usernameParameter": None, "clientMetadata": {"lang": "en"}}
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}
    mail = last_mail(server, email)
    assert (mail["subject"], mail["body"]) == (f"[SignUp] for {name}", f"[SignUp] code {CODE}")

    idp.resend_confirmation_code(ClientId=cid, Username=name)
    assert host.events("customMessage")[-1]["triggerSource"] == "CustomMessage_ResendCode"
    assert last_mail(server, email)["body"] == f"[ResendCode] code {CODE}"

    idp.confirm_sign_up(ClientId=cid, Username=name, ConfirmationCode=CODE)
    idp.forgot_password(ClientId=cid, Username=name)
    event = host.events("customMessage")[-1]
    check_envelope(event, "CustomMessage_ForgotPassword", pool_id, name, cid)
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert last_mail(server, email)["body"] == f"[ForgotPassword] code {CODE}"

    token = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD}
                              )["AuthenticationResult"]["AccessToken"]
    new_email = f"{name}.new@example.com"
    idp.update_user_attributes(AccessToken=token,
                               UserAttributes=[{"Name": "email", "Value": new_email}],
                               ClientMetadata={"why": "moved"})
    event = host.events("customMessage")[-1]
    check_envelope(event, "CustomMessage_UpdateUserAttribute", pool_id, name, cid)
    assert event["request"]["clientMetadata"] == {"why": "moved"}
    assert last_mail(server, new_email)["body"] == f"[UpdateUserAttribute] code {CODE}"

    idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    event = host.events("customMessage")[-1]
    check_envelope(event, "CustomMessage_VerifyUserAttribute", pool_id, name, cid)
    assert last_mail(server, new_email)["body"] == f"[VerifyUserAttribute] code {CODE}"


def test_custom_message_invitation(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomMessage": "customMessage"})
    name = unique("ned")
    email = f"{name}@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=name, TemporaryPassword=PASSWORD,
                          DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": email}],
                          ClientMetadata={"team": "ops"})
    [event] = host.events("customMessage")
    check_envelope(event, "CustomMessage_AdminCreateUser", pool_id, name)
    assert event["request"]["codeParameter"] == "{####}"
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["clientMetadata"] == {"team": "ops"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "FORCE_CHANGE_PASSWORD"
    mail = last_mail(server, email)
    assert mail["subject"] == "Welcome aboard"
    assert mail["body"] == f"Hi {name}, your password is {PASSWORD}"


def test_custom_message_without_code_keeps_the_pool_text(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomMessage": "customMessageNoCode"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("oli")
    sign_up(idp, cid, name)
    mail = last_mail(server, f"{name}@example.com")
    assert CODE in mail["body"]
    assert mail["subject"] == "Subject kept"


def test_custom_message_link_email(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomMessage": "customMessageLink"},
                        VerificationMessageTemplate={
                            "DefaultEmailOption": "CONFIRM_WITH_LINK",
                            "EmailMessageByLink": "Verify: {##Verify Email##}",
                            "EmailSubjectByLink": "Verify"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("ola")
    sign_up(idp, cid, name)
    event = host.events("customMessageLink")[-1]
    assert event["request"]["linkParameter"] == "{##Click Here##}"
    mail = last_mail(server, f"{name}@example.com")
    assert mail["subject"] == "Confirm your account"
    assert mail["body"].startswith("Welcome! <a href=")
    assert "confirmUser?" in mail["body"] and f"confirmation_code={CODE}" in mail["body"]
    assert mail["body"].endswith(">Click Here</a>")


def test_custom_message_migration_welcome(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomMessage": "customMessage",
                                    "UserMigration": "userMigration"})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    name = unique("pia")
    idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": name, "PASSWORD": "Legacy-Passw0rd!"},
                      ClientMetadata={"legacy": "yes"})
    event = host.events("customMessage")[-1]
    check_envelope(event, "CustomMessage_AdminCreateUser", pool_id, name, cid)
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["clientMetadata"] == {"legacy": "yes"}
    assert last_mail(server, f"{name}@example.com")["subject"] == "Welcome aboard"


def test_custom_message_authentication(server, idp, host):
    config = {"CustomMessage": host.url("customMessage")}
    pool_id = server.call_raw("CreateUserPool", {
        "PoolName": unique("otp"), "LambdaConfig": config,
        "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
    }).json()["UserPool"]["Id"]
    cid = make_client(idp, pool_id, ["ALLOW_USER_AUTH"])["ClientId"]
    name = unique("pam")
    email = f"{name}@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                          TemporaryPassword=PASSWORD,
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                Permanent=True)
    r = server.call_raw("InitiateAuth", {
        "ClientId": cid, "AuthFlow": "USER_AUTH", "ClientMetadata": {"otp": "1"},
        "AuthParameters": {"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"}}, signed=False)
    assert r.status == 200, r.json()
    assert r.json()["ChallengeName"] == "EMAIL_OTP"
    event = host.events("customMessage")[-1]
    check_envelope(event, "CustomMessage_Authentication", pool_id, name, cid)
    assert event["request"]["clientMetadata"] == {"otp": "1"}
    assert last_mail(server, email)["body"] == f"[Authentication] code {CODE}"


# ---- custom senders ---------------------------------------------------------------------------


def test_custom_email_sender(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomEmailSender": sender(host, "customEmailSender"),
                                    "CustomMessage": "customMessage", "KMSKeyID": KMS_ARN})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    host.set_state({"kmsKey": KMS_KEY, "expectCode": CODE})
    name = unique("quinn")
    email = f"{name}@example.com"
    sub = sign_up(idp, cid, name, ClientMetadata={"k": "v"})["UserSub"]
    [event] = host.events("customEmailSender")
    check_envelope(event, "CustomEmailSender_SignUp", pool_id, name, cid)
    assert set(event["request"]) == {"type", "code", "clientMetadata", "userAttributes"}
    assert event["request"]["type"] == "customEmailSenderRequestV1"
    assert event["request"]["code"] != CODE
    assert event["request"]["clientMetadata"] == {"k": "v"}
    assert event["request"]["userAttributes"] == {"sub": sub, "email": email,
                                                  "cognito:user_status": "UNCONFIRMED"}
    # The sender replaced delivery: nothing in the outbox, no CustomMessage call.
    assert [m for m in server.outbox() if m["destination"] == email] == []
    assert host.events("customMessage") == []

    idp.resend_confirmation_code(ClientId=cid, Username=name)
    assert host.events("customEmailSender")[-1]["triggerSource"] == "CustomEmailSender_ResendCode"

    # Invitations carry the temporary password, sealed the same way.
    host.set_state({"kmsKey": KMS_KEY, "expectCode": PASSWORD})
    other = unique("rae")
    idp.admin_create_user(UserPoolId=pool_id, Username=other, TemporaryPassword=PASSWORD,
                          DesiredDeliveryMediums=["EMAIL"],
                          UserAttributes=[{"Name": "email", "Value": f"{other}@example.com"}])
    assert (host.events("customEmailSender")[-1]["triggerSource"]
            == "CustomEmailSender_AdminCreateUser")

    # A code that does not decrypt to what the handler expects fails the call (the handler's
    # check), proving it saw the real code above.
    host.set_state({"kmsKey": KMS_KEY, "expectCode": "000000"})
    with pytest.raises(ClientError) as e:
        idp.resend_confirmation_code(ClientId=cid, Username=name)
    assert error_of(e) == ("UserLambdaValidationException",
                           f"CustomEmailSender failed with error unexpected code {CODE}.")


def test_custom_sms_sender(server, idp, host):
    pool_id = make_pool(idp, host, {"CustomSMSSender": sender(host, "customSmsSender"),
                                    "KMSKeyID": KMS_ARN})
    host.set_state({"kmsKey": KMS_KEY, "expectCode": PASSWORD})
    name = unique("sam")
    idp.admin_create_user(UserPoolId=pool_id, Username=name, TemporaryPassword=PASSWORD,
                          DesiredDeliveryMediums=["SMS"],
                          UserAttributes=[{"Name": "phone_number", "Value": "+12065550123"}])
    [event] = host.events("customSmsSender")
    check_envelope(event, "CustomSMSSender_AdminCreateUser", pool_id, name)
    assert event["request"]["type"] == "customSMSSenderRequestV1"
    assert event["request"]["userAttributes"]["phone_number"] == "+12065550123"
    assert [m for m in server.outbox() if m["destination"] == "+12065550123"] == []


def test_custom_sender_without_server_key(idp, host):
    other_key = "arn:aws:kms:us-east-1:000000000000:key/not-configured"
    pool_id = make_pool(idp, host, {"CustomEmailSender": sender(host, "customEmailSender"),
                                    "KMSKeyID": other_key})
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    with pytest.raises(ClientError) as e:
        sign_up(idp, cid, unique("tia"))
    assert error_of(e) == ("UnexpectedLambdaException",
                           "CustomEmailSender invocation failed due to error KMS key not "
                           "configured.")
    assert host.events("customEmailSender") == []
