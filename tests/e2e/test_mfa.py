"""MFA through boto3: the pool's MFA configuration, TOTP (codes computed here from first
principles with hmac, RFC 6238), the user's MFA settings, and the MFA challenges (SMS_MFA,
EMAIL_OTP, SOFTWARE_TOKEN_MFA, SELECT_MFA_TYPE, MFA_SETUP) in the password, SRP and admin flows
and after NEW_PASSWORD_REQUIRED, with codes read from the outbox, the SMS gateway and a real SMTP
server, and Cognito's errors for wrong, reused and expired codes, lockout and expired sessions.

Debian's botocore (1.29) predates email MFA and AdminDeleteSoftwareToken: those calls go through
server.call_raw (signed by botocore's SigV4)."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import os
import struct
import time

import pytest

from harness import unique
from selfsvc_helpers import CODE_RE, jsonl, outbox_messages, support_process, wait_for
from test_auth import SrpClient
from test_devices import Device, device_challenge

PASSWORD = "Passw0rd!"
SMS_CONFIG = {"SnsCallerArn": "arn:aws:iam::000000000000:role/sms", "ExternalId": "x"}
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
MISMATCH = ("CodeMismatchException", "Invalid code received for user")  # TOTP
CODE_MISMATCH = ("CodeMismatchException", "Invalid code or auth state for the user.")  # SMS, e-mail
REUSED = ("ExpiredCodeException", "Your software token has already been used once.")


# ---- TOTP, RFC 6238 / RFC 4226, independent of the server -------------------------------------


def b32decode(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def totp_at_step(secret: str, step: int) -> str:
    mac = hmac.new(b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def step_now() -> int:
    return int(time.time()) // 30


def other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# ---- helpers ------------------------------------------------------------------------------------


def error_of(excinfo) -> tuple[str, str]:
    err = excinfo.value.response["Error"]
    return err["Code"], err.get("Message", "")


def raw_ok(server, op: str, payload: dict) -> dict:
    r = server.call_raw(op, payload)
    assert r.status == 200, (r.status, r.body)
    return r.json()


def raw_error(server, op: str, payload: dict, signed: bool = True) -> tuple[str, str]:
    r = server.call_raw(op, payload, signed=signed)
    assert r.status == 400, (r.status, r.body)
    return r.error_type, r.json().get("message", "")


def make_pool(idp, **kwargs) -> str:
    return idp.create_user_pool(PoolName=unique("mfa"), **kwargs)["UserPool"]["Id"]


def make_client(idp, pool_id: str, **kwargs) -> str:
    return idp.create_user_pool_client(UserPoolId=pool_id, ClientName=unique("c"),
                                       ExplicitAuthFlows=FLOWS, **kwargs)["UserPoolClient"][
                                           "ClientId"]


def make_user(idp, pool_id: str, name: str, attrs=(), permanent=True) -> None:
    idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                          TemporaryPassword=PASSWORD, UserAttributes=list(attrs))
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                    Permanent=True)


def password_auth(idp, cid: str, name: str) -> dict:
    return idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})


def srp_auth(idp, pool_id: str, cid: str, name: str) -> dict:
    client = SrpClient(pool_id)
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": name, "SRP_A": client.srp_a})
    assert ch["ChallengeName"] == "PASSWORD_VERIFIER"
    return idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=client.claim(
                                             ch["ChallengeParameters"], PASSWORD))


def respond(idp, cid: str, challenge: str, session: str, **responses) -> dict:
    return idp.respond_to_auth_challenge(ClientId=cid, ChallengeName=challenge, Session=session,
                                         ChallengeResponses=responses)


def tokens_of(resp) -> dict:
    assert "AuthenticationResult" in resp, resp
    return resp["AuthenticationResult"]


def mfa_code(server, pool_id: str, destination: str, count: int = 1) -> str:
    msgs = wait_for(lambda: [m for m in outbox_messages(server, pool_id, destination)
                             if m.get("purpose") == "mfa"][count - 1:] or None)
    assert msgs, f"no MFA code to {destination}"
    return CODE_RE.search(msgs[-1]["body"])[1]


def totp_pool(idp, mode="OPTIONAL") -> str:
    pool_id = make_pool(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=mode,
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    return pool_id


def associate_and_verify(idp, token: str) -> tuple[str, int]:
    """Associates and verifies a software token; returns its secret and the step used."""
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    step = step_now()
    resp = idp.verify_software_token(AccessToken=token, UserCode=totp_at_step(secret, step),
                                     FriendlyDeviceName="phone")
    assert resp["Status"] == "SUCCESS"
    return secret, step


# ---- pool configuration -----------------------------------------------------------------------


def test_pool_mfa_config(server, idp):
    pool_id = make_pool(idp)
    assert idp.get_user_pool_mfa_config(UserPoolId=pool_id)["MfaConfiguration"] == "OFF"
    resp = idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                        SoftwareTokenMfaConfiguration={"Enabled": True})
    assert resp["MfaConfiguration"] == "ON"
    assert resp["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    assert "SmsMfaConfiguration" not in got
    assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"] == "ON"

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    assert error_of(e)[1] == ("Invalid MFA configuration given, can't turn off MFA and configure "
                              "an MFA together.")
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    assert error_of(e)[1] == ("Invalid MFA Configuration given. SMS MFA, Email MFA, or Software "
                              "Token MFA must be enabled.")
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SmsMfaConfiguration={"SmsAuthenticationMessage": "{####}!!"})
    assert "SMS configuration" in error_of(e)[1]
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id, MfaConfiguration="ON",
            SmsMfaConfiguration={"SmsAuthenticationMessage": "no code here",
                                 "SmsConfiguration": SMS_CONFIG})
    resp = idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsAuthenticationMessage": "Code {####}",
                             "SmsConfiguration": SMS_CONFIG})
    assert resp["SmsMfaConfiguration"] == {"SmsAuthenticationMessage": "Code {####}",
                                           "SmsConfiguration": SMS_CONFIG}
    assert "SoftwareTokenMfaConfiguration" not in resp  # left out: turned off
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["SmsAuthenticationMessage"] == "Code {####}"
    assert pool["SmsConfiguration"] == SMS_CONFIG
    with pytest.raises(idp.exceptions.ResourceNotFoundException):
        idp.get_user_pool_mfa_config(UserPoolId="us-east-1_nonexist0")

    # Email MFA (newer than Debian's botocore): only with a DEVELOPER e-mail account.
    email_cfg = {"UserPoolId": pool_id, "MfaConfiguration": "ON",
                 "EmailMfaConfiguration": {"Message": "Code {####}", "Subject": "Sign-in"}}
    code, msg = raw_error(server, "SetUserPoolMfaConfig", email_cfg)
    assert code == "InvalidParameterException" and "DEVELOPER" in msg
    idp.update_user_pool(UserPoolId=pool_id, EmailConfiguration={
        "EmailSendingAccount": "DEVELOPER", "From": "no-reply@example.com",
        "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"})
    got = raw_ok(server, "SetUserPoolMfaConfig", email_cfg)
    assert got["EmailMfaConfiguration"] == {"Message": "Code {####}", "Subject": "Sign-in"}
    assert raw_ok(server, "GetUserPoolMfaConfig", {"UserPoolId": pool_id}) == got


def test_legacy_mfa_configuration_on_create(idp):
    pool_id = make_pool(idp, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG,
                        SmsAuthenticationMessage="Your code {####}")
    got = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert got["MfaConfiguration"] == "ON"
    assert got["SmsMfaConfiguration"] == {"SmsConfiguration": SMS_CONFIG,
                                          "SmsAuthenticationMessage": "Your code {####}"}


# ---- TOTP by access token -----------------------------------------------------------------------


def test_software_token_by_access_token(server, idp):
    pool_id = totp_pool(idp)
    cid = make_client(idp, pool_id)
    make_user(idp, pool_id, "tina")
    token = tokens_of(password_auth(idp, cid, "tina"))["AccessToken"]

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
            "Enabled": True, "PreferredMfa": True})
    assert error_of(e) == ("InvalidParameterException",
                           "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
    with pytest.raises(idp.exceptions.SoftwareTokenMFANotFoundException):
        idp.verify_software_token(AccessToken=token, UserCode="123456")

    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert len(secret) == 52 and len(b32decode(secret)) == 32
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
            "Enabled": True, "PreferredMfa": True})
    assert error_of(e)[1] == "User has not verified software token mfa"
    step = step_now()
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException) as e:
        idp.verify_software_token(AccessToken=token,
                                  UserCode=other_code(totp_at_step(secret, step)))
    assert error_of(e) == ("EnableSoftwareTokenMFAException",
                           "Code mismatch and fail enable Software Token MFA")
    used = totp_at_step(secret, step)
    assert idp.verify_software_token(AccessToken=token, UserCode=used,
                                     FriendlyDeviceName="phone")["Status"] == "SUCCESS"
    # Verified but not enabled: an OPTIONAL pool signs in without MFA.
    assert "UserMFASettingList" not in idp.get_user(AccessToken=token)
    tokens_of(password_auth(idp, cid, "tina"))

    idp.set_user_mfa_preference(AccessToken=token, SoftwareTokenMfaSettings={
        "Enabled": True, "PreferredMfa": True})
    user = idp.get_user(AccessToken=token)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    admin = idp.admin_get_user(UserPoolId=pool_id, Username="tina")
    assert admin["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert "MFAOptions" not in admin

    ch = password_auth(idp, cid, "tina")
    assert ch["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    session = ch["Session"]
    # The code that verified the token was used already.
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        respond(idp, cid, "SOFTWARE_TOKEN_MFA", session, USERNAME="tina",
                SOFTWARE_TOKEN_MFA_CODE=used)
    assert error_of(e) == REUSED
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:  # expired: 3 steps old
        respond(idp, cid, "SOFTWARE_TOKEN_MFA", session, USERNAME="tina",
                SOFTWARE_TOKEN_MFA_CODE=totp_at_step(secret, step_now() - 3))
    assert error_of(e) == MISMATCH
    fresh = totp_at_step(secret, step + 1)  # within the ±1 step window, after the used step
    tokens_of(respond(idp, cid, "SOFTWARE_TOKEN_MFA", session, USERNAME="tina",
                      SOFTWARE_TOKEN_MFA_CODE=fresh))
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:  # the session is spent
        respond(idp, cid, "SOFTWARE_TOKEN_MFA", session, USERNAME="tina",
                SOFTWARE_TOKEN_MFA_CODE=fresh)
    assert error_of(e)[1] == "Invalid session for the user."

    # AdminDeleteSoftwareToken (npm SDK only): TOTP is gone, sign-in needs no MFA.
    assert raw_ok(server, "AdminDeleteSoftwareToken",
                  {"UserPoolId": pool_id, "Username": "tina"}) == {}
    assert "UserMFASettingList" not in idp.admin_get_user(UserPoolId=pool_id, Username="tina")
    tokens_of(password_auth(idp, cid, "tina"))
    assert raw_error(server, "AdminDeleteSoftwareToken",
                     {"UserPoolId": pool_id, "Username": "nobody"})[0] == "UserNotFoundException"


def test_associate_needs_one_credential(server, idp):
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.associate_software_token()
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.associate_software_token(AccessToken="not-a-token")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.verify_software_token(Session="x" * 40, UserCode="123456")
    assert error_of(e)[1] == "Invalid session for the user."


# ---- MFA_SETUP ----------------------------------------------------------------------------------


def test_mfa_setup_with_software_token_after_srp(idp):
    pool_id = totp_pool(idp, mode="ON")
    cid = make_client(idp, pool_id)
    make_user(idp, pool_id, "sam")
    ch = srp_auth(idp, pool_id, cid, "sam")
    assert ch["ChallengeName"] == "MFA_SETUP"
    assert json.loads(ch["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        respond(idp, cid, "MFA_SETUP", ch["Session"], USERNAME="sam")
    assert error_of(e)[1] == "User has not verified software token mfa"

    assoc = idp.associate_software_token(Session=ch["Session"])
    secret, session = assoc["SecretCode"], assoc["Session"]
    assert session != ch["Session"]
    step = step_now()
    with pytest.raises(idp.exceptions.EnableSoftwareTokenMFAException):
        idp.verify_software_token(Session=session,
                                  UserCode=other_code(totp_at_step(secret, step)))
    verified = idp.verify_software_token(Session=session, UserCode=totp_at_step(secret, step),
                                         FriendlyDeviceName="laptop")
    assert verified["Status"] == "SUCCESS"
    tokens = tokens_of(respond(idp, cid, "MFA_SETUP", verified["Session"], USERNAME="sam"))
    user = idp.get_user(AccessToken=tokens["AccessToken"])
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"

    # From now on the token is asked for, in every flow.
    ch = srp_auth(idp, pool_id, cid, "sam")
    assert ch["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    tokens_of(respond(idp, cid, "SOFTWARE_TOKEN_MFA", ch["Session"], USERNAME="sam",
                      SOFTWARE_TOKEN_MFA_CODE=totp_at_step(secret, step + 1)))
    ch = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid,
                                 AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": "sam", "PASSWORD": PASSWORD})
    assert ch["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        idp.admin_respond_to_auth_challenge(
            UserPoolId=pool_id, ClientId=cid, ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=ch["Session"], ChallengeResponses={
                "USERNAME": "sam", "SOFTWARE_TOKEN_MFA_CODE": totp_at_step(secret, step + 1)})
    assert error_of(e) == REUSED


def test_new_password_required_then_mfa_setup(idp):
    pool_id = totp_pool(idp, mode="ON")
    cid = make_client(idp, pool_id)
    make_user(idp, pool_id, "nina", permanent=False)
    ch = password_auth(idp, cid, "nina")
    assert ch["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    ch = respond(idp, cid, "NEW_PASSWORD_REQUIRED", ch["Session"], USERNAME="nina",
                 NEW_PASSWORD="N3w#Passw0rd")
    assert ch["ChallengeName"] == "MFA_SETUP"
    assoc = idp.associate_software_token(Session=ch["Session"])
    verified = idp.verify_software_token(Session=assoc["Session"],
                                         UserCode=totp_at_step(assoc["SecretCode"], step_now()))
    tokens_of(respond(idp, cid, "MFA_SETUP", verified["Session"], USERNAME="nina"))


# ---- SMS ---------------------------------------------------------------------------------------


def test_sms_mfa_through_the_gateway(make_server, tmp_path):
    out = tmp_path / "sms.jsonl"
    with support_process("http_recorder.py", out) as port:
        server = make_server(extra_args=["--sms-gateway-url", f"http://127.0.0.1:{port}/sms"])
        idp = server.client()
        pool_id = make_pool(idp)
        idp.set_user_pool_mfa_config(
            UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
            SmsMfaConfiguration={"SmsAuthenticationMessage": "Sign-in code {####}",
                                 "SmsConfiguration": SMS_CONFIG})
        cid = make_client(idp, pool_id)
        make_user(idp, pool_id, "sid", attrs=[{"Name": "phone_number", "Value": "+12065550123"}])
        idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="sid",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
        user = idp.admin_get_user(UserPoolId=pool_id, Username="sid")
        assert user["UserMFASettingList"] == ["SMS_MFA"]
        assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]

        ch = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid,
                                     AuthFlow="ADMIN_NO_SRP_AUTH",
                                     AuthParameters={"USERNAME": "sid", "PASSWORD": PASSWORD})
        assert ch["ChallengeName"] == "SMS_MFA"
        assert ch["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                                             "CODE_DELIVERY_DESTINATION": "+*******0123"}
        sms = json.loads(wait_for(lambda: jsonl(out))[-1]["body"])
        assert sms["purpose"] == "mfa"
        assert sms["body"].startswith("Sign-in code ")
        code = CODE_RE.search(sms["body"])[1]
        with pytest.raises(idp.exceptions.CodeMismatchException) as e:
            idp.admin_respond_to_auth_challenge(
                UserPoolId=pool_id, ClientId=cid, ChallengeName="SMS_MFA", Session=ch["Session"],
                ChallengeResponses={"USERNAME": "sid", "SMS_MFA_CODE": other_code(code)})
        assert error_of(e) == CODE_MISMATCH
        tokens_of(idp.admin_respond_to_auth_challenge(
            UserPoolId=pool_id, ClientId=cid, ChallengeName="SMS_MFA", Session=ch["Session"],
            ChallengeResponses={"USERNAME": "sid", "SMS_MFA_CODE": code}))


@pytest.mark.serial
def test_sms_mfa_lockout_after_wrong_codes(server, idp):
    pool_id = make_pool(idp, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG)
    cid = make_client(idp, pool_id)
    phone = "+12065550188"
    make_user(idp, pool_id, "lou", attrs=[{"Name": "phone_number", "Value": phone}])
    # MFA ON, nothing enabled, a phone number: SMS_MFA.
    ch = password_auth(idp, cid, "lou")
    assert ch["ChallengeName"] == "SMS_MFA"
    code = mfa_code(server, pool_id, phone)
    errors = []
    for _ in range(8):
        with pytest.raises(idp.exceptions.ClientError) as e:
            respond(idp, cid, "SMS_MFA", ch["Session"], USERNAME="lou",
                    SMS_MFA_CODE=other_code(code))
        errors.append(error_of(e))
        if errors[-1][0] == "NotAuthorizedException":
            break
    assert errors[:5] == [CODE_MISMATCH] * 5
    assert errors[-1] == ("NotAuthorizedException", "Password attempts exceeded")
    # The lockout holds for the password too, then lifts.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        password_auth(idp, cid, "lou")
    assert error_of(e)[1] == "Password attempts exceeded"
    # Once the lockout lifts (1 s after the fifth failure, longer for later ones) the right
    # code still completes the same session.
    deadline = time.monotonic() + 30
    while True:
        try:
            tokens_of(respond(idp, cid, "SMS_MFA", ch["Session"], USERNAME="lou",
                              SMS_MFA_CODE=code))
            break
        except idp.exceptions.NotAuthorizedException as e:
            assert e.response["Error"]["Message"] == "Password attempts exceeded"
            assert time.monotonic() < deadline
            time.sleep(0.5)


# ---- e-mail and SELECT_MFA_TYPE ------------------------------------------------------------------


def email_pool(server, idp, **mfa) -> str:
    pool_id = make_pool(idp, EmailConfiguration={
        "EmailSendingAccount": "DEVELOPER", "From": "no-reply@example.com",
        "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"})
    raw_ok(server, "SetUserPoolMfaConfig", {"UserPoolId": pool_id, **mfa})
    return pool_id


def test_select_mfa_type_then_email_otp_by_smtp(make_server, tmp_path):
    mail = tmp_path / "mail.jsonl"
    with support_process("smtp_capture.py", mail, module="aiosmtpd") as port:
        server = make_server(extra_args=["--smtp-url", f"smtp://127.0.0.1:{port}",
                                         "--smtp-from", "no-reply@example.com"])
        idp = server.client()
        pool_id = email_pool(server, idp, MfaConfiguration="OPTIONAL",
                             SmsMfaConfiguration={"SmsConfiguration": SMS_CONFIG},
                             EmailMfaConfiguration={"Message": "Your code: {####}",
                                                    "Subject": "Sign-in code"})
        cid = make_client(idp, pool_id)
        make_user(idp, pool_id, "eve", attrs=[{"Name": "email", "Value": "eve@example.com"},
                                              {"Name": "phone_number", "Value": "+12065550177"}])
        raw_ok(server, "AdminSetUserMFAPreference", {
            "UserPoolId": pool_id, "Username": "eve", "SMSMfaSettings": {"Enabled": True},
            "EmailMfaSettings": {"Enabled": True}})
        assert idp.admin_get_user(UserPoolId=pool_id, Username="eve")["UserMFASettingList"] == [
            "SMS_MFA", "EMAIL_OTP"]

        ch = password_auth(idp, cid, "eve")
        assert ch["ChallengeName"] == "SELECT_MFA_TYPE"
        assert json.loads(ch["ChallengeParameters"]["MFAS_CAN_CHOOSE"]) == ["SMS_MFA",
                                                                            "EMAIL_OTP"]
        with pytest.raises(idp.exceptions.InvalidParameterException):
            respond(idp, cid, "SELECT_MFA_TYPE", ch["Session"], USERNAME="eve",
                    ANSWER="SOFTWARE_TOKEN_MFA")
        ch = respond(idp, cid, "SELECT_MFA_TYPE", ch["Session"], USERNAME="eve",
                     ANSWER="EMAIL_OTP")
        assert ch["ChallengeName"] == "EMAIL_OTP"
        assert ch["ChallengeParameters"] == {"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
                                             "CODE_DELIVERY_DESTINATION": "e***@e***.com"}
        msgs = wait_for(lambda: jsonl(mail))
        assert msgs[-1]["rcpt_tos"] == ["eve@example.com"]
        msg = email.message_from_string(msgs[-1]["data"], policy=email.policy.default)
        assert msg["Subject"] == "Sign-in code"
        code = CODE_RE.search(msg.get_content())[1]
        with pytest.raises(idp.exceptions.CodeMismatchException) as e:
            respond(idp, cid, "EMAIL_OTP", ch["Session"], USERNAME="eve",
                    EMAIL_OTP_CODE=other_code(code))
        assert error_of(e) == CODE_MISMATCH
        tokens_of(respond(idp, cid, "EMAIL_OTP", ch["Session"], USERNAME="eve",
                          EMAIL_OTP_CODE=code))


def test_mfa_setup_by_email(server, idp):
    pool_id = email_pool(server, idp, MfaConfiguration="ON", EmailMfaConfiguration={})
    cid = make_client(idp, pool_id)
    make_user(idp, pool_id, "ella")
    ch = password_auth(idp, cid, "ella")
    assert ch["ChallengeName"] == "MFA_SETUP"
    assert json.loads(ch["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    ch = respond(idp, cid, "MFA_SETUP", ch["Session"], USERNAME="ella",
                 EMAIL="ella@example.com")
    assert ch["ChallengeName"] == "EMAIL_OTP"
    code = mfa_code(server, pool_id, "ella@example.com")
    tokens_of(respond(idp, cid, "EMAIL_OTP", ch["Session"], USERNAME="ella", EMAIL_OTP_CODE=code))
    user = idp.admin_get_user(UserPoolId=pool_id, Username="ella")
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["email"] == "ella@example.com" and attrs["email_verified"] == "true"
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]
    ch = password_auth(idp, cid, "ella")
    assert ch["ChallengeName"] == "EMAIL_OTP"


# ---- settings -----------------------------------------------------------------------------------


def test_user_mfa_preferences_and_legacy_settings(server, idp):
    pool_id = make_pool(idp)
    cid = make_client(idp, pool_id)
    make_user(idp, pool_id, "leo", attrs=[{"Name": "phone_number", "Value": "+12065550166"}])
    make_user(idp, pool_id, "nophone")
    token = tokens_of(password_auth(idp, cid, "leo"))["AccessToken"]

    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="nophone",
                                          SMSMfaSettings={"Enabled": True})
    assert error_of(e)[1] == "User does not have delivery config set to turn on SMS_MFA"
    assert raw_error(server, "AdminSetUserMFAPreference", {
        "UserPoolId": pool_id, "Username": "nophone", "EmailMfaSettings": {"Enabled": True}}) == (
        "InvalidParameterException", "User does not have delivery config set to turn on EMAIL_OTP")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="ghost",
                                          SMSMfaSettings={"Enabled": True})

    idp.set_user_settings(AccessToken=token, MFAOptions=[{"DeliveryMedium": "SMS",
                                                          "AttributeName": "phone_number"}])
    user = idp.get_user(AccessToken=token)
    assert user["MFAOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert "PreferredMfaSetting" not in user
    idp.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True,
                                                                   "PreferredMfa": True})
    assert idp.get_user(AccessToken=token)["PreferredMfaSetting"] == "SMS_MFA"
    idp.admin_set_user_settings(UserPoolId=pool_id, Username="leo", MFAOptions=[])
    user = idp.get_user(AccessToken=token)
    for member in ("MFAOptions", "UserMFASettingList", "PreferredMfaSetting"):
        assert member not in user
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.admin_set_user_settings(UserPoolId=pool_id, Username="leo", MFAOptions=[
            {"DeliveryMedium": "EMAIL", "AttributeName": "email"}])
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.set_user_settings(AccessToken=token, MFAOptions=[
            {"DeliveryMedium": "SMS", "AttributeName": "email"}])
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.set_user_mfa_preference(AccessToken="bad", SMSMfaSettings={"Enabled": True})


# ---- remembered devices -------------------------------------------------------------------------


def test_remembered_device_skips_mfa(server, idp):
    pool_id = make_pool(idp, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG,
                        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True,
                                             "DeviceOnlyRememberedOnUserPrompt": False})
    cid = make_client(idp, pool_id)
    phone = "+12065550144"
    make_user(idp, pool_id, "dora", attrs=[{"Name": "phone_number", "Value": phone}])
    ch = password_auth(idp, cid, "dora")
    assert ch["ChallengeName"] == "SMS_MFA"
    done = tokens_of(respond(idp, cid, "SMS_MFA", ch["Session"], USERNAME="dora",
                             SMS_MFA_CODE=mfa_code(server, pool_id, phone)))
    device = Device(done["NewDeviceMetadata"])
    idp.confirm_device(AccessToken=done["AccessToken"], DeviceKey=device.key,
                       DeviceSecretVerifierConfig=device.config, DeviceName="pytest")

    # With the remembered device: its proof replaces MFA.
    step = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "dora", "PASSWORD": PASSWORD, "DEVICE_KEY": device.key})
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    tokens_of(device_challenge(idp, cid, "dora", device, step["Session"]))
    # Without it: MFA again.
    assert password_auth(idp, cid, "dora")["ChallengeName"] == "SMS_MFA"


# ---- session expiry -----------------------------------------------------------------------------


FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def test_expired_mfa_session(make_server, tmp_path):
    # The shortest session Cognito allows is 3 minutes. Rather than sleep through it, this
    # server runs under Debian's libfaketime, whose wall clock the test moves on by rewriting
    # the offset file; the monotonic clock (timers, timeouts) is left alone.
    offset = tmp_path / "faketime"
    offset.write_text("+0\n")
    # An ASan build wants its runtime first among the loaded libraries; libfaketime only wraps
    # the clock functions, which ASan does not intercept.
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0"]))
    server = make_server(env={"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": str(offset),
                              "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1",
                              "ASAN_OPTIONS": asan})
    idp = server.client()
    pool_id = make_pool(idp, MfaConfiguration="ON", SmsConfiguration=SMS_CONFIG)
    cid = make_client(idp, pool_id, AuthSessionValidity=3)
    phone = "+12065550155"
    make_user(idp, pool_id, "exp", attrs=[{"Name": "phone_number", "Value": phone}])
    early = password_auth(idp, cid, "exp")
    early_code = mfa_code(server, pool_id, phone)
    late = password_auth(idp, cid, "exp")
    assert late["ChallengeName"] == "SMS_MFA"
    late_code = mfa_code(server, pool_id, phone, count=2)
    # A session of the same age is still good 5 seconds before its 3 minutes are up...
    offset.write_text("+175\n")
    ok = respond(idp, cid, "SMS_MFA", early["Session"], USERNAME="exp",
                 SMS_MFA_CODE=early_code)
    assert "AccessToken" in ok["AuthenticationResult"]
    # ...and refused 2 seconds after.
    offset.write_text(f"+{3 * 60 + 2}\n")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        respond(idp, cid, "SMS_MFA", late["Session"], USERNAME="exp", SMS_MFA_CODE=late_code)
    assert error_of(e)[1] == "Invalid session for the user, session is expired."
