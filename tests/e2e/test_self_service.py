"""ForgotPassword / ConfirmForgotPassword and the access-token operations (ChangePassword,
GetUser, UpdateUserAttributes, DeleteUserAttributes, DeleteUser,
GetUserAttributeVerificationCode, VerifyUserAttribute) through boto3. Users sign up and confirm
with codes from the outbox and sign in with USER_PASSWORD_AUTH."""

from __future__ import annotations

import json

import pytest

from harness import unique
from selfsvc_helpers import (CODE_RE, PASSWORD, error_of, jsonl, make_client, make_pool, outbox_code,
                             outbox_messages, secret_hash, sign_in, signed_up_user,
                             support_process, wait_for)

MISMATCH = ("CodeMismatchException", "Invalid verification code provided, please try again.")
EXPIRED = ("ExpiredCodeException", "Invalid code provided, please request a code again.")
LIMIT = ("LimitExceededException", "Attempt limit exceeded, please try after some time.")
NEW_PASSWORD = "N3w#Passw0rd"


@pytest.fixture
def app(idp):
    pool_id = make_pool(idp)
    return pool_id, make_client(idp, pool_id)["ClientId"]


def attrs_of(resp) -> dict:
    return {a["Name"]: a["Value"] for a in resp["UserAttributes"]}


def user_name():
    return unique("u")


# ---- ForgotPassword / ConfirmForgotPassword ----------------------------------------------------


def test_forgot_and_confirm_forgot_password(server, idp, app):
    pool_id, cid = app
    name = user_name()
    signed_up_user(idp, server, pool_id, cid, name, f"{name}@example.com")
    resp = idp.forgot_password(ClientId=cid, Username=name)
    assert resp["CodeDeliveryDetails"] == {"Destination": f"{name[0]}***@e***.com",
                                           "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    msg = outbox_messages(server, pool_id, f"{name}@example.com")[-1]
    assert msg["purpose"] == "forgot_password"
    code = outbox_code(server, pool_id, f"{name}@example.com", count=2)
    # Still CONFIRMED until the code is used; the old password still works.
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"

    with pytest.raises(idp.exceptions.InvalidPasswordException) as e:
        idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=code,
                                    Password="short")
    assert error_of(e) == ("InvalidPasswordException",
                           "Password does not conform to policy: Password not long enough")
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=wrong,
                                    Password=NEW_PASSWORD)
    assert error_of(e) == MISMATCH

    idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=code,
                                Password=NEW_PASSWORD)
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:  # one-time
        idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=code,
                                    Password="An0ther#Pass")
    assert error_of(e) == EXPIRED
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        sign_in(idp, cid, name)
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    assert sign_in(idp, cid, name, NEW_PASSWORD)["AccessToken"]


def test_admin_reset_then_confirm_forgot_password(server, idp, app):
    pool_id, cid = app
    name = user_name()
    signed_up_user(idp, server, pool_id, cid, name, f"{name}@example.com")
    idp.admin_reset_user_password(UserPoolId=pool_id, Username=name)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "RESET_REQUIRED"
    code = outbox_code(server, pool_id, f"{name}@example.com", count=2)
    idp.confirm_forgot_password(ClientId=cid, Username=name, ConfirmationCode=code,
                                Password=NEW_PASSWORD)
    assert idp.admin_get_user(UserPoolId=pool_id, Username=name)["UserStatus"] == "CONFIRMED"
    assert sign_in(idp, cid, name, NEW_PASSWORD)["AccessToken"]


def test_forgot_password_errors(server, idp, app):
    pool_id, cid = app
    with pytest.raises(idp.exceptions.UserNotFoundException) as e:
        idp.forgot_password(ClientId=cid, Username="ghost")
    assert error_of(e) == ("UserNotFoundException", "Username/client id combination not found.")
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.confirm_forgot_password(ClientId=cid, Username="ghost", ConfirmationCode="123456",
                                    Password=NEW_PASSWORD)

    # Unconfirmed, so no verified address to send to.
    idp.sign_up(ClientId=cid, Username="unv", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": "unv@example.com"}])
    with pytest.raises(idp.exceptions.InvalidParameterException) as e:
        idp.forgot_password(ClientId=cid, Username="unv")
    assert error_of(e)[1] == ("Cannot reset password for the user as there is no "
                              "registered/verified email or phone_number")

    idp.admin_create_user(UserPoolId=pool_id, Username="temp", TemporaryPassword="Temp#Pass1",
                          MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "temp@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.forgot_password(ClientId=cid, Username="temp")
    assert error_of(e) == ("NotAuthorizedException",
                           "User password cannot be reset in the current state.")

    name = user_name()
    signed_up_user(idp, server, pool_id, cid, name, f"{name}@example.com")
    for _ in range(5):
        idp.forgot_password(ClientId=cid, Username=name)
    with pytest.raises(idp.exceptions.LimitExceededException) as e:
        idp.forgot_password(ClientId=cid, Username=name)
    assert error_of(e) == LIMIT


def test_forgot_password_hides_unknown_users(server, idp):
    pool_id = make_pool(idp)
    cid = make_client(idp, pool_id, prevent="ENABLED")["ClientId"]
    d = idp.forgot_password(ClientId=cid, Username="nobody@example.com")["CodeDeliveryDetails"]
    assert d == {"Destination": "n***@e***.com", "DeliveryMedium": "EMAIL",
                 "AttributeName": "email"}
    d = idp.forgot_password(ClientId=cid, Username="nobody")["CodeDeliveryDetails"]
    assert d["DeliveryMedium"] == "EMAIL" and "***@" in d["Destination"]
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        idp.confirm_forgot_password(ClientId=cid, Username="nobody", ConfirmationCode="123456",
                                    Password=NEW_PASSWORD)
    assert error_of(e) == MISMATCH
    assert not outbox_messages(server, pool_id)


def test_forgot_password_with_secret(server, idp):
    pool_id = make_pool(idp)
    client = make_client(idp, pool_id, secret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    name = user_name()
    email = f"{name}@example.com"
    idp.sign_up(ClientId=cid, Username=name, Password=PASSWORD,
                SecretHash=secret_hash(secret, name, cid),
                UserAttributes=[{"Name": "email", "Value": email}])
    idp.confirm_sign_up(ClientId=cid, Username=name, SecretHash=secret_hash(secret, name, cid),
                        ConfirmationCode=outbox_code(server, pool_id, email))
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.forgot_password(ClientId=cid, Username=name)
    assert error_of(e) == ("NotAuthorizedException",
                           f"Unable to verify secret hash for client {cid}")
    idp.forgot_password(ClientId=cid, Username=name, SecretHash=secret_hash(secret, name, cid))
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.confirm_forgot_password(ClientId=cid, Username=name, Password=NEW_PASSWORD,
                                    ConfirmationCode=outbox_code(server, pool_id, email, 2))


def test_forgot_password_by_sms_gateway(make_server, tmp_path):
    out = tmp_path / "sms.jsonl"
    with support_process("http_recorder.py", out) as port:
        server = make_server(extra_args=["--sms-gateway-url", f"http://127.0.0.1:{port}/sms"])
        idp = server.client()
        pool_id = make_pool(idp, AutoVerifiedAttributes=["phone_number"],
                            AccountRecoverySetting={"RecoveryMechanisms": [
                                {"Name": "verified_phone_number", "Priority": 1}]})
        cid = make_client(idp, pool_id)["ClientId"]
        idp.sign_up(ClientId=cid, Username="phil", Password=PASSWORD,
                    UserAttributes=[{"Name": "phone_number", "Value": "+12065550123"}])
        code = CODE_RE.search(json.loads(wait_for(lambda: jsonl(out))[-1]["body"])["body"])[1]
        idp.confirm_sign_up(ClientId=cid, Username="phil", ConfirmationCode=code)
        d = idp.forgot_password(ClientId=cid, Username="phil")["CodeDeliveryDetails"]
        assert d == {"Destination": "+*******0123", "DeliveryMedium": "SMS",
                     "AttributeName": "phone_number"}
        sms = json.loads(wait_for(lambda: len(jsonl(out)) >= 2 and jsonl(out))[-1]["body"])
        assert sms["purpose"] == "forgot_password"
        code = CODE_RE.search(sms["body"])[1]
        idp.confirm_forgot_password(ClientId=cid, Username="phil", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
        assert sign_in(idp, cid, "phil", NEW_PASSWORD)["AccessToken"]


# ---- access-token operations -------------------------------------------------------------------


@pytest.fixture
def signed_in(server, idp, app):
    """(pool id, client id, username, e-mail, access token) of a fresh confirmed user."""
    pool_id, cid = app
    name = user_name()
    email = f"{name}@example.com"
    signed_up_user(idp, server, pool_id, cid, name, email)
    return pool_id, cid, name, email, sign_in(idp, cid, name)["AccessToken"]


def test_get_user(idp, signed_in):
    pool_id, _, name, email, token = signed_in
    resp = idp.get_user(AccessToken=token)
    assert resp["Username"] == name
    attrs = attrs_of(resp)
    assert attrs["email"] == email and attrs["email_verified"] == "true"
    assert resp["UserAttributes"][0]["Name"] == "sub"
    assert "UserStatus" not in resp and "Enabled" not in resp

    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.get_user(AccessToken="not.a.token")
    assert error_of(e) == ("NotAuthorizedException", "Invalid Access Token")

    idp.admin_disable_user(UserPoolId=pool_id, Username=name)
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.get_user(AccessToken=token)
    assert error_of(e) == ("NotAuthorizedException", "User is disabled.")
    idp.admin_enable_user(UserPoolId=pool_id, Username=name)
    assert idp.get_user(AccessToken=token)["Username"] == name


def test_change_password(idp, signed_in):
    _, cid, name, _, token = signed_in
    with pytest.raises(idp.exceptions.NotAuthorizedException) as e:
        idp.change_password(AccessToken=token, PreviousPassword="Wr0ng#Pass",
                            ProposedPassword=NEW_PASSWORD)
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(idp.exceptions.InvalidPasswordException) as e:
        idp.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                            ProposedPassword="alllowercase1!")
    assert error_of(e) == ("InvalidPasswordException",
                           "Password does not conform to policy: "
                           "Password must have uppercase characters")
    idp.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                        ProposedPassword=NEW_PASSWORD)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        sign_in(idp, cid, name)
    assert sign_in(idp, cid, name, NEW_PASSWORD)["AccessToken"]


def test_update_and_verify_email(server, idp, signed_in):
    pool_id, _, name, _, token = signed_in
    new_email = f"new-{name}@example.com"
    resp = idp.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "email", "Value": new_email}, {"Name": "name", "Value": "Nina"}])
    assert resp["CodeDeliveryDetailsList"] == [
        {"Destination": "n***@e***.com", "DeliveryMedium": "EMAIL", "AttributeName": "email"}]
    attrs = attrs_of(idp.get_user(AccessToken=token))
    assert attrs["email"] == new_email and attrs["email_verified"] == "false"
    assert attrs["name"] == "Nina"

    code = outbox_code(server, pool_id, new_email)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(idp.exceptions.CodeMismatchException) as e:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=wrong)
    assert error_of(e) == MISMATCH
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert attrs_of(idp.get_user(AccessToken=token))["email_verified"] == "true"
    with pytest.raises(idp.exceptions.ExpiredCodeException) as e:
        idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert error_of(e) == EXPIRED

    # Attributes outside the schema are refused.
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.update_user_attributes(AccessToken=token, UserAttributes=[
            {"Name": "custom:missing", "Value": "1"}])


def test_update_waits_for_verification_when_the_pool_requires_it(server, idp):
    pool_id = make_pool(idp, UserAttributeUpdateSettings={
        "AttributesRequireVerificationBeforeUpdate": ["email"]})
    cid = make_client(idp, pool_id)["ClientId"]
    name = user_name()
    old, new = f"{name}@example.com", f"{name}@new.example.org"
    signed_up_user(idp, server, pool_id, cid, name, old)
    token = sign_in(idp, cid, name)["AccessToken"]
    resp = idp.update_user_attributes(AccessToken=token,
                                      UserAttributes=[{"Name": "email", "Value": new}])
    assert resp["CodeDeliveryDetailsList"][0]["Destination"] == f"{name[0]}***@n***.org"
    attrs = attrs_of(idp.get_user(AccessToken=token))
    assert attrs["email"] == old and attrs["email_verified"] == "true"

    resent = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert resent["CodeDeliveryDetails"]["Destination"] == f"{name[0]}***@n***.org"
    code = outbox_code(server, pool_id, new, count=2)
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    attrs = attrs_of(idp.get_user(AccessToken=token))
    assert attrs["email"] == new and attrs["email_verified"] == "true"


def test_get_user_attribute_verification_code(server, idp, signed_in):
    pool_id, _, _, email, token = signed_in
    resp = idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert resp["CodeDeliveryDetails"]["AttributeName"] == "email"
    code = outbox_code(server, pool_id, email, count=2)
    idp.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="phone_number")
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="name")
    for _ in range(4):
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    with pytest.raises(idp.exceptions.LimitExceededException) as e:
        idp.get_user_attribute_verification_code(AccessToken=token, AttributeName="email")
    assert error_of(e) == LIMIT


def test_delete_user_attributes(idp, signed_in):
    _, _, _, _, token = signed_in
    idp.update_user_attributes(AccessToken=token, UserAttributes=[
        {"Name": "name", "Value": "Dee"}, {"Name": "family_name", "Value": "Doe"}])
    idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["name"])
    attrs = attrs_of(idp.get_user(AccessToken=token))
    assert "name" not in attrs and attrs["family_name"] == "Doe"
    with pytest.raises(idp.exceptions.InvalidParameterException):
        idp.delete_user_attributes(AccessToken=token, UserAttributeNames=["sub"])


def test_delete_user(idp, signed_in):
    pool_id, cid, name, _, token = signed_in
    idp.delete_user(AccessToken=token)
    with pytest.raises(idp.exceptions.UserNotFoundException):
        idp.admin_get_user(UserPoolId=pool_id, Username=name)
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.get_user(AccessToken=token)
    with pytest.raises((idp.exceptions.NotAuthorizedException,
                        idp.exceptions.UserNotFoundException)):
        sign_in(idp, cid, name)


def test_change_password_attempt_limit(idp, signed_in):
    _, _, _, _, token = signed_in
    for _ in range(5):
        with pytest.raises(idp.exceptions.NotAuthorizedException):
            idp.change_password(AccessToken=token, PreviousPassword="Wr0ng#Pass",
                                ProposedPassword=NEW_PASSWORD)
    with pytest.raises(idp.exceptions.LimitExceededException) as e:
        idp.change_password(AccessToken=token, PreviousPassword=PASSWORD,
                            ProposedPassword=NEW_PASSWORD)
    assert error_of(e) == LIMIT
