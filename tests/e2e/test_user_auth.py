"""Choice-based sign-in (AuthFlow USER_AUTH) through boto3: SELECT_CHALLENGE and
AvailableChallenges, PASSWORD, PASSWORD_SRP, EMAIL_OTP by a real SMTP server (aiosmtpd), SMS_OTP
through the SMS gateway, wrong, replayed and exhausted codes, PreventUserExistenceErrors, the
pool's SignInPolicy and Get/AdminGetUserAuthFactors.

Debian's botocore (1.29) predates USER_AUTH: it would drop SignInPolicy, UserPoolTier and
AvailableChallenges, and has no GetUserAuthFactors. Those calls go raw (`call`), signed where the
operation is IAM-authorised and unsigned where the SDKs send them unsigned; the rest is boto3."""

from __future__ import annotations

import email
import email.policy
import json
import time

import pytest

from harness import unique
from selfsvc_helpers import CODE_RE, jsonl, support_process, wait_for
from test_auth import PASSWORD, SrpClient, error_of, jwt_claims, secret_hash

ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


class ApiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def call(server, op: str, signed: bool = False, **payload) -> dict:
    """One operation sent raw; its JSON answer, or ApiError(code, message)."""
    r = server.call_raw(op, payload, signed=signed)
    if r.status != 200:
        raise ApiError(r.error_type, r.json().get("message", ""))
    return r.json()


@pytest.fixture(scope="module")
def env(tmp_path_factory, pg_admin_dsn):
    """A server whose e-mail goes to aiosmtpd and whose SMS go to an HTTP recorder."""
    from conftest import ServerFactory

    root = tmp_path_factory.mktemp("userauth")
    mail, sms = root / "mail.jsonl", root / "sms.jsonl"
    with support_process("smtp_capture.py", mail, module="aiosmtpd") as smtp_port, \
            support_process("http_recorder.py", sms) as sms_port:
        factory = ServerFactory(root, pg_admin_dsn)
        server = factory("data", extra_args=[
            "--smtp-url", f"smtp://127.0.0.1:{smtp_port}",
            "--smtp-from", "Cognate <no-reply@example.com>",
            "--sms-gateway-url", f"http://127.0.0.1:{sms_port}/sms"])
        try:
            yield server, mail, sms
        finally:
            factory.close()


@pytest.fixture(scope="module")
def idp(env):
    return env[0].client()


def mail_code(env, to: str, count: int) -> str:
    """The code in the `count`-th e-mail to `to`."""
    _, mail, _ = env
    mails = wait_for(lambda: [m for m in jsonl(mail) if to in m["rcpt_tos"]][count - 1:])
    assert mails, f"no mail #{count} to {to}"
    msg = email.message_from_string(mails[0]["data"], policy=email.policy.default)
    assert msg["Subject"] == "Your authentication code"
    return CODE_RE.search(msg.get_body(("plain", "html")).get_content())[1]


def sms_code(env, to: str, count: int) -> str:
    _, _, sms = env
    msgs = wait_for(lambda: [json.loads(r["body"]) for r in jsonl(sms)
                             if json.loads(r["body"])["to"] == to][count - 1:])
    assert msgs, f"no SMS #{count} to {to}"
    assert msgs[0]["purpose"] == "sign_in_code"
    return CODE_RE.search(msgs[0]["body"])[1]


def make_pool(server, factors=ALL_FACTORS, **kwargs) -> str:
    return call(server, "CreateUserPool", signed=True, PoolName=unique("ua"),
                Policies={"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
                **kwargs)["UserPool"]["Id"]


def make_client(idp, pool_id, flows=("ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"), **kwargs):
    return idp.create_user_pool_client(UserPoolId=pool_id, ClientName=unique("c"),
                                       ExplicitAuthFlows=list(flows), **kwargs)["UserPoolClient"]


def make_user(idp, pool_id, name, phone="+12065550100", password=True) -> str:
    """A confirmed user with a verified e-mail ({name}@example.com) and phone number."""
    attrs = [{"Name": "email", "Value": f"{name}@example.com"},
             {"Name": "email_verified", "Value": "true"},
             {"Name": "phone_number", "Value": phone},
             {"Name": "phone_number_verified", "Value": "true"}]
    user = idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                                 TemporaryPassword=PASSWORD, UserAttributes=attrs)["User"]
    if password:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                    Permanent=True)
    return {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]


def user_auth(server, cid, name, **params):
    return call(server, "InitiateAuth", ClientId=cid, AuthFlow="USER_AUTH",
                AuthParameters={"USERNAME": name, **params})


def respond(server, cid, name, challenge, session, **responses):
    return call(server, "RespondToAuthChallenge", ClientId=cid, ChallengeName=challenge,
                Session=session, ChallengeResponses={"USERNAME": name, **responses})


def raises(code: str, message: str | None = None):
    """pytest.raises for an ApiError `code` (and `message`)."""
    class Check:
        def __enter__(self):
            self.ctx = pytest.raises(ApiError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.ctx.__exit__(*exc)
            assert self.info.value.code == code, self.info.value
            if message is not None:
                assert self.info.value.message == message
            return handled
    return Check()


def test_select_challenge_then_email_otp(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("alice")
    sub = make_user(idp, pool_id, name)

    select = user_auth(server, cid, name)
    assert select["ChallengeName"] == "SELECT_CHALLENGE"
    assert select["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    assert select["ChallengeParameters"] == {}
    assert 20 <= len(select["Session"]) <= 2048

    otp = respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert "AvailableChallenges" not in otp
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "a***@e***.com"
    code = mail_code(env, f"{name}@example.com", 1)

    wrong = "000000" if code != "000000" else "111111"
    with raises("CodeMismatchException", "Invalid code or auth state for the user."):
        respond(server, cid, name, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=wrong)
    # boto3 answers the challenge as well as any SDK.
    done = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="EMAIL_OTP", Session=otp["Session"],
        ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": code})
    tokens = done["AuthenticationResult"]
    assert jwt_claims(tokens["AccessToken"])["sub"] == sub
    assert tokens["RefreshToken"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == name

    # A used code or session is not accepted twice; the SELECT_CHALLENGE session is spent too.
    with raises("NotAuthorizedException", "Invalid session for the user."):
        respond(server, cid, name, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=code)
    with raises("NotAuthorizedException"):
        respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="EMAIL_OTP")


def test_preferred_sms_otp_and_admin_flow(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("bob")
    sub = make_user(idp, pool_id, name, phone="+12065550142")

    otp = user_auth(server, cid, name, PREFERRED_CHALLENGE="SMS_OTP")
    assert otp["ChallengeName"] == "SMS_OTP"
    assert otp["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                          "CODE_DELIVERY_DESTINATION": "+*******0142"}
    assert "AvailableChallenges" not in otp
    code = sms_code(env, "+12065550142", 1)
    done = respond(server, cid, name, "SMS_OTP", otp["Session"], SMS_OTP_CODE=code)
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["sub"] == sub

    # AdminInitiateAuth / AdminRespondToAuthChallenge the same way (boto3, signed).
    otp = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid, AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": name,
                                                  "PREFERRED_CHALLENGE": "EMAIL_OTP"})
    assert otp["ChallengeName"] == "EMAIL_OTP"
    code = mail_code(env, f"{name}@example.com", 1)
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=cid, ChallengeName="EMAIL_OTP", Session=otp["Session"],
        ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": code})
    assert jwt_claims(done["AuthenticationResult"]["IdToken"])["sub"] == sub


def test_password_and_password_srp(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("carol")
    sub = make_user(idp, pool_id, name)

    direct = user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert jwt_claims(direct["AuthenticationResult"]["AccessToken"])["sub"] == sub
    with raises("NotAuthorizedException", "Incorrect username or password."):
        user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong-pass1")
    with raises("InvalidParameterException", "Missing required parameter PASSWORD"):
        user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD")
    with raises("InvalidParameterException", "Missing required parameter SRP_A"):
        user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD_SRP")

    # SELECT_CHALLENGE answered with PASSWORD.
    select = user_auth(server, cid, name)
    done = respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="PASSWORD",
                   PASSWORD=PASSWORD)
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["sub"] == sub

    # PASSWORD_SRP, preferred and selected: PASSWORD_VERIFIER, answered with its Session.
    srp = SrpClient(pool_id)
    ch = user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=srp.srp_a)
    assert ch["ChallengeName"] == "PASSWORD_VERIFIER"
    done = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="PASSWORD_VERIFIER", Session=ch["Session"],
        ChallengeResponses=srp.claim(ch["ChallengeParameters"], PASSWORD))
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["sub"] == sub

    select = user_auth(server, cid, name)
    srp = SrpClient(pool_id)
    ch = respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="PASSWORD_SRP",
                 SRP_A=srp.srp_a)
    assert ch["ChallengeName"] == "PASSWORD_VERIFIER"
    claim = srp.claim(ch["ChallengeParameters"], "Wrong-pass1")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      Session=ch["Session"], ChallengeResponses=claim)


def test_available_challenges_follow_policy_and_user(env, idp):
    server = env[0]
    pool_id = make_pool(server, factors=["PASSWORD", "EMAIL_OTP"])
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("dave")
    make_user(idp, pool_id, name)
    assert user_auth(server, cid, name)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP",
                                                                    "EMAIL_OTP"]
    # A factor the pool does not allow (or the user cannot use) is not offered: the preferred
    # challenge falls back to SELECT_CHALLENGE, and choosing it is refused.
    ch = user_auth(server, cid, name, PREFERRED_CHALLENGE="SMS_OTP")
    assert ch["ChallengeName"] == "SELECT_CHALLENGE"
    with raises("InvalidParameterException",
                "The challenge SMS_OTP is not available for this user."):
        respond(server, cid, name, "SELECT_CHALLENGE", ch["Session"], ANSWER="SMS_OTP")
    ch = user_auth(server, cid, name, PREFERRED_CHALLENGE="WEB_AUTHN")
    assert ch["ChallengeName"] == "SELECT_CHALLENGE"
    assert "WEB_AUTHN" not in ch["AvailableChallenges"]
    with raises("InvalidParameterException"):
        user_auth(server, cid, name, PREFERRED_CHALLENGE="BOGUS")

    # An unverified e-mail address is no sign-in factor.
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=name, UserAttributes=[
        {"Name": "email_verified", "Value": "false"}])
    assert user_auth(server, cid, name)["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]


def test_wrong_codes_lock_out(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("erin")
    make_user(idp, pool_id, name)
    otp = user_auth(server, cid, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = mail_code(env, f"{name}@example.com", 1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with raises("CodeMismatchException"):
            respond(server, cid, name, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=wrong)
    # The fifth failure locks the user out for a second: no answer and no new code.
    with raises("NotAuthorizedException", "Password attempts exceeded"):
        user_auth(server, cid, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    time.sleep(1.2)
    # The wrong codes burned the code: the sign-in is over, even with the right code.
    with raises("NotAuthorizedException", "Invalid session for the user."):
        respond(server, cid, name, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=code)


def test_unknown_users(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    prevent = make_client(idp, pool_id, PreventUserExistenceErrors="ENABLED")["ClientId"]
    legacy = make_client(idp, pool_id, PreventUserExistenceErrors="LEGACY")["ClientId"]
    with raises("UserNotFoundException", "User does not exist."):
        user_auth(server, legacy, "nobody")

    select = user_auth(server, prevent, "nobody")
    assert select["ChallengeName"] == "SELECT_CHALLENGE"
    assert select["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]
    otp = respond(server, prevent, "nobody", "SELECT_CHALLENGE", select["Session"],
                  ANSWER="EMAIL_OTP")
    assert otp["ChallengeName"] == "EMAIL_OTP"
    assert otp["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    with raises("CodeMismatchException"):
        respond(server, prevent, "nobody", "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE="123456")
    with raises("NotAuthorizedException", "Incorrect username or password."):
        user_auth(server, prevent, "nobody", PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)


def test_client_secret_and_flow_rules(env, idp):
    server = env[0]
    pool_id = make_pool(server)
    name = unique("frank")
    make_user(idp, pool_id, name)
    no_flow = make_client(idp, pool_id, flows=["ALLOW_USER_SRP_AUTH"])["ClientId"]
    with raises("InvalidParameterException", "USER_AUTH flow not enabled for this client"):
        user_auth(server, no_flow, name)

    client = make_client(idp, pool_id, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    with raises("NotAuthorizedException"):
        user_auth(server, cid, name)
    sh = secret_hash(secret, name, cid)
    select = user_auth(server, cid, name, SECRET_HASH=sh)
    with raises("NotAuthorizedException"):
        respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="EMAIL_OTP")
    otp = respond(server, cid, name, "SELECT_CHALLENGE", select["Session"], ANSWER="EMAIL_OTP",
                  SECRET_HASH=sh)
    code = mail_code(env, f"{name}@example.com", 1)
    done = respond(server, cid, name, "EMAIL_OTP", otp["Session"], EMAIL_OTP_CODE=code,
                   SECRET_HASH=sh)
    assert done["AuthenticationResult"]["AccessToken"]


def test_sign_in_policy_rules(env, idp):
    server = env[0]
    with raises("InvalidParameterException"):
        make_pool(server, factors=["EMAIL_OTP"])
    with raises("FeatureUnavailableInTierException"):
        make_pool(server, factors=["PASSWORD", "EMAIL_OTP"], UserPoolTier="LITE")
    lite = make_pool(server, factors=["PASSWORD"], UserPoolTier="LITE")
    with pytest.raises(idp.exceptions.ClientError) as e:
        make_client(idp, lite)
    assert error_of(e)[0] == "FeatureUnavailableInTierException"
    pool_id = make_pool(server)
    described = call(server, "DescribeUserPool", signed=True, UserPoolId=pool_id)["UserPool"]
    assert described["Policies"]["SignInPolicy"] == {"AllowedFirstAuthFactors": ALL_FACTORS}


def test_get_user_auth_factors(env, idp):
    server = env[0]
    pool_id = make_pool(server, factors=["PASSWORD", "EMAIL_OTP"])
    cid = make_client(idp, pool_id)["ClientId"]
    name = unique("gina")
    make_user(idp, pool_id, name)
    token = user_auth(server, cid, name, PREFERRED_CHALLENGE="PASSWORD",
                      PASSWORD=PASSWORD)["AuthenticationResult"]["AccessToken"]
    expected = {"Username": name, "ConfiguredUserAuthFactors": ["PASSWORD", "EMAIL_OTP"]}
    assert call(server, "GetUserAuthFactors", AccessToken=token) == expected
    assert call(server, "AdminGetUserAuthFactors", signed=True, UserPoolId=pool_id,
                Username=name) == expected
    with raises("UserNotFoundException"):
        call(server, "AdminGetUserAuthFactors", signed=True, UserPoolId=pool_id,
             Username="nobody")
    with raises("NotAuthorizedException"):
        call(server, "GetUserAuthFactors", AccessToken=token[:-4] + "AAAA")
    # Without the verified e-mail address only the password remains.
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=name, UserAttributes=[
        {"Name": "email_verified", "Value": "false"}])
    assert call(server, "GetUserAuthFactors", AccessToken=token)[
        "ConfiguredUserAuthFactors"] == ["PASSWORD"]
