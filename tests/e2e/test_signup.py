"""SignUp, ConfirmSignUp and ResendConfirmationCode through boto3, with codes read back from the
outbox, a real SMTP server (aiosmtpd), the SMS gateway and --dev-fixed-code."""

from __future__ import annotations

import email
import email.policy
import json

import pytest

from conftest import ServerFactory
from selfsvc_helpers import (CODE_RE, FIXED_CODE, PASSWORD, error_of, jsonl, make_client,
                             make_pool, outbox_code, outbox_messages, secret_hash, sign_in,
                             support_process, wait_for)

MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
EXPIRED = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
NOT_FOUND = ("UserNotFoundException", "Username/client id combination not found.")


@pytest.fixture
def app(idp):
    pool_id = make_pool(idp)
    return pool_id, make_client(idp, pool_id)["ClientId"]


def test_sign_up_and_confirm(server, idp, app):
    pool_id, client_id = app
    resp = idp.sign_up(ClientId=client_id, Username="alice", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                       {"Name": "name", "Value": "Alice"}],
                       ValidationData=[{"Name": "hint", "Value": "x"}],
                       ClientMetadata={"source": "e2e"})
    assert resp["UserConfirmed"] is False
    assert len(resp["UserSub"]) == 36
    assert resp["CodeDeliveryDetails"] == {"Destination": "a***@e***.com",
                                           "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "UNCONFIRMED"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["sub"] == resp["UserSub"]
    assert attrs["email"] == "alice@example.com" and attrs.get("email_verified") != "true"

    msgs = outbox_messages(server, pool_id, "alice@example.com")
    assert len(msgs) == 1 and msgs[0]["purpose"] == "sign_up"
    assert msgs[0]["subject"] == "Your verification code"
    code = CODE_RE.search(msgs[0]["body"]).group(1)

    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=wrong)
    assert error_of(e) == MISMATCH

    assert idp.confirm_sign_up(ClientId=client_id, Username="alice",
                               ConfirmationCode=code)["ResponseMetadata"]["HTTPStatusCode"] == 200
    user = idp.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["email_verified"] == "true"

    # The code is used up: confirming again is refused by status.
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
    assert error_of(e) == ("NotAuthorizedException",
                           "User cannot be confirmed. Current status is CONFIRMED")


def test_sign_up_errors(idp, idp_raw, app):
    pool_id, client_id = app
    idp.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "bob@example.com"}])
    with pytest.raises(idp.exceptions.UsernameExistsException) as e:
        idp.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD)
    assert error_of(e) == ("UsernameExistsException", "User already exists")

    with pytest.raises(idp.exceptions.InvalidPasswordException) as e:
        idp.sign_up(ClientId=client_id, Username="weak", Password="password")
    assert error_of(e) == ("InvalidPasswordException",
                           "Password did not conform with policy: "
                           "Password must have uppercase characters")

    with pytest.raises(idp.exceptions.ResourceNotFoundException) as e:
        idp.sign_up(ClientId="nosuchclient1234567890abcd", Username="x", Password=PASSWORD)
    assert error_of(e)[1] == "User pool client nosuchclient1234567890abcd does not exist."

    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.sign_up(ClientId=client_id, Username="carol", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "not-an-email"}])
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.sign_up(ClientId=client_id, Username="dave", Password=PASSWORD,
                    UserAttributes=[{"Name": "custom:nope", "Value": "1"}])
    with pytest.raises(idp_raw.exceptions.InvalidParameterException):
        idp_raw.sign_up(ClientId=client_id, Username="erin")  # no password


def test_sign_up_with_secret_hash(idp):
    pool_id = make_pool(idp)
    client = make_client(idp, pool_id, secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    msg = ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.sign_up(ClientId=cid, Username="sam", Password=PASSWORD)
    assert error_of(e) == msg
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.sign_up(ClientId=cid, Username="sam", Password=PASSWORD,
                    SecretHash=secret_hash(secret, "someone-else", cid))
    assert error_of(e) == msg
    resp = idp.sign_up(ClientId=cid, Username="sam", Password=PASSWORD,
                       SecretHash=secret_hash(secret, "sam", cid),
                       UserAttributes=[{"Name": "email", "Value": "sam@example.com"}])
    assert resp["UserConfirmed"] is False
    # Every client-identified operation checks it.
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.resend_confirmation_code(ClientId=cid, Username="sam")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.confirm_sign_up(ClientId=cid, Username="sam", ConfirmationCode="123456")
    assert idp.resend_confirmation_code(
        ClientId=cid, Username="sam", SecretHash=secret_hash(secret, "sam", cid))


def test_username_attribute_pool(server, idp):
    pool_id = make_pool(idp, UsernameAttributes=["email"])
    cid = make_client(idp, pool_id)["ClientId"]
    resp = idp.sign_up(ClientId=cid, Username="una@example.com", Password=PASSWORD)
    user = idp.admin_get_user(UserPoolId=pool_id, Username="una@example.com")
    assert user["Username"] == resp["UserSub"]
    with pytest.raises(idp.exceptions.UsernameExistsException) as e:
        idp.sign_up(ClientId=cid, Username="una@example.com", Password=PASSWORD)
    assert error_of(e) == ("UsernameExistsException",
                           "An account with the given email already exists.")
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.sign_up(ClientId=cid, Username="una", Password=PASSWORD)
    assert error_of(e)[1] == "Username should be an email."
    code = outbox_code(server, pool_id, "una@example.com")
    idp.confirm_sign_up(ClientId=cid, Username="una@example.com", ConfirmationCode=code)
    assert idp.admin_get_user(UserPoolId=pool_id,
                              Username="una@example.com")["UserStatus"] == "CONFIRMED"


def test_pool_without_auto_verification_sends_nothing(server, idp):
    pool_id = make_pool(idp, AutoVerifiedAttributes=[])
    cid = make_client(idp, pool_id)["ClientId"]
    resp = idp.sign_up(ClientId=cid, Username="quiet", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "quiet@example.com"}])
    assert "CodeDeliveryDetails" not in resp and resp["UserConfirmed"] is False
    assert not outbox_messages(server, pool_id)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.resend_confirmation_code(ClientId=cid, Username="quiet")


def test_resend_confirmation_code(server, idp, app):
    pool_id, client_id = app
    idp.sign_up(ClientId=client_id, Username="rita", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "rita@example.com"}])
    first = outbox_code(server, pool_id, "rita@example.com")
    resp = idp.resend_confirmation_code(ClientId=client_id, Username="rita")
    assert resp["CodeDeliveryDetails"] == {"Destination": "r***@e***.com",
                                           "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    second = outbox_code(server, pool_id, "rita@example.com", count=2)
    if first != second:
        with pytest.raises(idp.exceptions.CodeMismatchException):
            idp.confirm_sign_up(ClientId=client_id, Username="rita", ConfirmationCode=first)
    # SignUp and four resends fit in the hour; the sixth code is refused.
    for _ in range(3):
        idp.resend_confirmation_code(ClientId=client_id, Username="rita")
    with pytest.raises(idp.exceptions.LimitExceededException) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="rita")
    assert error_of(e) == LIMIT
    last = outbox_code(server, pool_id, "rita@example.com", count=5)
    idp.confirm_sign_up(ClientId=client_id, Username="rita", ConfirmationCode=last)
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.resend_confirmation_code(ClientId=client_id, Username="rita")
    assert error_of(e) == ("InvalidParameterException", "User is already confirmed.")


def test_wrong_codes_burn_the_code(server, idp, app):
    pool_id, client_id = app
    idp.sign_up(ClientId=client_id, Username="wes", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "wes@example.com"}])
    code = outbox_code(server, pool_id, "wes@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(idp.exceptions.CodeMismatchException):
            idp.confirm_sign_up(ClientId=client_id, Username="wes", ConfirmationCode=wrong)
    with pytest.raises(idp.exceptions.LimitExceededException) as e:
        idp.confirm_sign_up(ClientId=client_id, Username="wes", ConfirmationCode=code)
    assert error_of(e) == LIMIT
    idp.resend_confirmation_code(ClientId=client_id, Username="wes")
    fresh = outbox_code(server, pool_id, "wes@example.com", count=2)
    idp.confirm_sign_up(ClientId=client_id, Username="wes", ConfirmationCode=fresh)


def test_unknown_users(server, idp):
    pool_id = make_pool(idp)
    legacy = make_client(idp, pool_id, prevent="LEGACY")["ClientId"]
    enabled = make_client(idp, pool_id, prevent="ENABLED")["ClientId"]
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.confirm_sign_up(ClientId=legacy, Username="ghost", ConfirmationCode="123456")
    assert error_of(e) == NOT_FOUND
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.resend_confirmation_code(ClientId=legacy, Username="ghost")
    assert error_of(e) == NOT_FOUND

    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        idp.confirm_sign_up(ClientId=enabled, Username="ghost", ConfirmationCode="123456")
    assert error_of(e) == MISMATCH
    d = idp.resend_confirmation_code(ClientId=enabled,
                                     Username="ghost@example.com")["CodeDeliveryDetails"]
    assert d == {"Destination": "g***@e***.com", "DeliveryMedium": "EMAIL",
                 "AttributeName": "email"}
    d1 = idp.resend_confirmation_code(ClientId=enabled, Username="ghost")["CodeDeliveryDetails"]
    d2 = idp.resend_confirmation_code(ClientId=enabled, Username="ghost")["CodeDeliveryDetails"]
    assert d1 == d2 and d1["DeliveryMedium"] == "EMAIL"
    assert not outbox_messages(server, pool_id)


def test_confirm_with_link(server, idp):
    pool_id = make_pool(idp, VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_LINK",
        "EmailSubjectByLink": "Confirm your account",
        "EmailMessageByLink": "Welcome! {##Click here##}"})
    cid = make_client(idp, pool_id)["ClientId"]
    idp.sign_up(ClientId=cid, Username="lina", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "lina@example.com"}])
    msg = wait_for(lambda: outbox_messages(server, pool_id, "lina@example.com"))[-1]
    assert msg["subject"] == "Confirm your account"
    assert f"{server.endpoint}/confirmUser?client_id={cid}&amp;user_name=lina" in msg["body"]
    assert ">Click here</a>" in msg["body"]


def test_sign_up_then_sign_in(server, idp, app):
    pool_id, client_id = app
    idp.sign_up(ClientId=client_id, Username="ian", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "ian@example.com"}])
    with pytest.raises(idp.exceptions.UserNotConfirmedException):
        sign_in(idp, client_id, "ian")
    code = outbox_code(server, pool_id, "ian@example.com")
    idp.confirm_sign_up(ClientId=client_id, Username="ian", ConfirmationCode=code)
    tokens = sign_in(idp, client_id, "ian")
    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "ian"


# ---- real channels ---------------------------------------------------------------------------


def test_sign_up_code_by_smtp(make_server, tmp_path):
    mail = tmp_path / "mail.jsonl"
    with support_process("smtp_capture.py", mail, module="aiosmtpd") as port:
        server = make_server(extra_args=["--smtp-url", f"smtp://127.0.0.1:{port}"])
        idp = server.client()
        pool_id = make_pool(idp, VerificationMessageTemplate={
            "EmailSubject": "Code for {####}", "EmailMessage": "Hi, your code: {####}"})
        cid = make_client(idp, pool_id)["ClientId"]
        resp = idp.sign_up(ClientId=cid, Username="smita", Password=PASSWORD,
                           UserAttributes=[{"Name": "email", "Value": "smita@example.com"}])
        assert resp["CodeDeliveryDetails"]["Destination"] == "s***@e***.com"
        mails = wait_for(lambda: jsonl(mail))
        assert len(mails) == 1 and mails[0]["rcpt_tos"] == ["smita@example.com"]
        msg = email.message_from_string(mails[0]["data"], policy=email.policy.default)
        code = CODE_RE.search(msg.get_content()).group(1)
        assert msg["Subject"] == f"Code for {code}"
        assert not outbox_messages(server, pool_id)
        idp.confirm_sign_up(ClientId=cid, Username="smita", ConfirmationCode=code)
        assert idp.admin_get_user(UserPoolId=pool_id,
                                  Username="smita")["UserStatus"] == "CONFIRMED"


def test_sign_up_code_by_sms_gateway(make_server, tmp_path):
    out = tmp_path / "sms.jsonl"
    with support_process("http_recorder.py", out) as port:
        server = make_server(extra_args=["--sms-gateway-url", f"http://127.0.0.1:{port}/sms"])
        idp = server.client()
        pool_id = make_pool(idp, AutoVerifiedAttributes=["phone_number"])
        cid = make_client(idp, pool_id)["ClientId"]
        resp = idp.sign_up(ClientId=cid, Username="pat", Password=PASSWORD,
                           UserAttributes=[{"Name": "phone_number", "Value": "+12065550100"}])
        assert resp["CodeDeliveryDetails"] == {"Destination": "+*******0100",
                                               "DeliveryMedium": "SMS",
                                               "AttributeName": "phone_number"}
        posts = wait_for(lambda: jsonl(out))
        assert len(posts) == 1 and posts[0]["path"] == "/sms"
        sms = json.loads(posts[0]["body"])
        assert sms["to"] == "+12065550100" and sms["purpose"] == "sign_up"
        code = CODE_RE.search(sms["body"]).group(1)
        idp.confirm_sign_up(ClientId=cid, Username="pat", ConfirmationCode=code)
        user = idp.admin_get_user(UserPoolId=pool_id, Username="pat")
        assert user["UserStatus"] == "CONFIRMED"
        assert {a["Name"]: a["Value"] for a in
                user["UserAttributes"]}["phone_number_verified"] == "true"


# ---- --dev-fixed-code ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory, pg_admin_dsn):
    factory = ServerFactory(tmp_path_factory.mktemp("dev"), pg_admin_dsn)
    yield factory("dev", extra_args=["--dev", "--dev-fixed-code", FIXED_CODE])
    factory.close()


def test_dev_fixed_code(dev_server):
    idp = dev_server.client()
    pool_id = make_pool(idp)
    cid = make_client(idp, pool_id)["ClientId"]
    idp.sign_up(ClientId=cid, Username="dev", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "dev@example.com"}])
    assert FIXED_CODE in outbox_messages(dev_server, pool_id)[-1]["body"]
    idp.confirm_sign_up(ClientId=cid, Username="dev", ConfirmationCode=FIXED_CODE)
    # Still one-time: the password-reset code is the same value, and is used up once.
    idp.forgot_password(ClientId=cid, Username="dev")
    idp.confirm_forgot_password(ClientId=cid, Username="dev", ConfirmationCode=FIXED_CODE,
                                Password="N3w#Passw0rd")
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        idp.confirm_forgot_password(ClientId=cid, Username="dev", ConfirmationCode=FIXED_CODE,
                                    Password="An0ther#Pass")
    assert error_of(e) == EXPIRED
    idp.admin_reset_user_password(UserPoolId=pool_id, Username="dev")
    assert FIXED_CODE in outbox_messages(dev_server, pool_id)[-1]["body"]


def test_dev_fixed_code_needs_dev(make_server):
    with pytest.raises(RuntimeError, match="only allowed with --dev"):
        make_server(extra_args=["--dev-fixed-code", FIXED_CODE])
