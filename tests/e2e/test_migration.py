"""Lazy user migration through boto3 against a Lambda-style UserMigration handler
(handlers/customauth_handlers.mjs, a legacy user store): first sign-in with USER_PASSWORD_AUTH and
ADMIN_USER_PASSWORD_AUTH creates the user with the legacy password (SRP works afterwards),
finalUserStatus RESET_REQUIRED, ForgotPassword of an unknown user, and the errors of a wrong
password or an unknown legacy user with and without PreventUserExistenceErrors. Events are
checked field by field."""

import pytest
from botocore.exceptions import ClientError

from harness import unique
from selfsvc_helpers import outbox_code
from test_auth import SrpClient, error_of, jwt_claims

HANDLERS = "handlers/customauth_handlers.mjs"


@pytest.fixture(scope="module")
def host(lambda_host):
    return lambda_host(HANDLERS)


@pytest.fixture
def pool_id(idp, host):
    host.clear()
    host.set_state({})
    return idp.create_user_pool(PoolName=unique("migrate"),
                                LambdaConfig={"UserMigration": host.url("userMigration")},
                                AutoVerifiedAttributes=["email"])["UserPool"]["Id"]


def make_client(idp, pool_id, prevent="LEGACY"):
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("c"), PreventUserExistenceErrors=prevent,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
                           "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]


def envelope_ok(event, source, pool_id, client_id, username):
    assert event["version"] == "1"
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == username
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown",
                                      "clientId": client_id}
    assert event["response"] == {}


def attributes(idp, pool_id, username):
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return user["UserStatus"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_first_sign_in_migrates_the_user(idp, host, pool_id):
    client_id = make_client(idp, pool_id)
    resp = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "legacy.lee", "PASSWORD": "Legacy-Pass-1"},
                             ClientMetadata={"app": "mobile"})
    tokens = resp["AuthenticationResult"]
    assert jwt_claims(tokens["IdToken"])["email"] == "lee@legacy.example"
    assert jwt_claims(tokens["AccessToken"])["username"] == "legacy.lee"

    [event] = host.events("userMigration")
    envelope_ok(event, "UserMigration_Authentication", pool_id, client_id, "legacy.lee")
    assert event["request"] == {"password": "Legacy-Pass-1", "validationData": {"app": "mobile"},
                                "clientMetadata": {"app": "mobile"}}

    status, attrs = attributes(idp, pool_id, "legacy.lee")
    assert status == "CONFIRMED"
    assert attrs["email"] == "lee@legacy.example"
    assert attrs["email_verified"] == "true"
    assert attrs["name"] == "Lee Legacy"
    assert jwt_claims(tokens["AccessToken"])["sub"] == attrs["sub"]

    # Known now: the trigger is not asked again, and the legacy password also works with SRP.
    idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                      AuthParameters={"USERNAME": "legacy.lee", "PASSWORD": "Legacy-Pass-1"})
    srp = SrpClient(pool_id)
    ch = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": "legacy.lee", "SRP_A": srp.srp_a})
    done = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=srp.claim(ch["ChallengeParameters"],
                                                                      "Legacy-Pass-1"))
    assert "AuthenticationResult" in done
    assert len(host.events("userMigration")) == 1


def test_admin_sign_in_migrates_too(idp, host, pool_id):
    client_id = make_client(idp, pool_id)
    resp = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                   AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "forgetful.fay",
                                                   "PASSWORD": "Old-Pass-99"})
    assert "AuthenticationResult" in resp
    [event] = host.events("userMigration")
    envelope_ok(event, "UserMigration_Authentication", pool_id, client_id, "forgetful.fay")
    assert event["request"] == {"password": "Old-Pass-99", "validationData": {},
                                "clientMetadata": {}}


def test_reset_required_status(idp, host, pool_id):
    client_id = make_client(idp, pool_id)
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "reset.rae", "PASSWORD": "Old-Pass-77"})
    assert error_of(e) == ("PasswordResetRequiredException", "Password reset required for the user")
    assert attributes(idp, pool_id, "reset.rae")[0] == "RESET_REQUIRED"


def test_wrong_password_and_unknown_users(idp, host, pool_id):
    client_id = make_client(idp, pool_id)
    for username, password in [("legacy.lee", "not-it"), ("nobody", "whatever")]:
        with pytest.raises(ClientError) as e:
            idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": username, "PASSWORD": password})
        assert error_of(e) == ("UserNotFoundException",
                               f"Exception migrating user in app client {client_id}.")
    with pytest.raises(ClientError):
        idp.admin_get_user(UserPoolId=pool_id, Username="legacy.lee")

    hidden = make_client(idp, pool_id, prevent="ENABLED")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=hidden, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "nobody", "PASSWORD": "whatever"})
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    assert len(host.events("userMigration")) == 3


def test_forgot_password_migrates_the_user(server, idp, host, pool_id):
    client_id = make_client(idp, pool_id)
    resp = idp.forgot_password(ClientId=client_id, Username="forgetful.fay")
    details = resp["CodeDeliveryDetails"]
    assert (details["DeliveryMedium"], details["AttributeName"]) == ("EMAIL", "email")
    assert details["Destination"].startswith("f***@")
    [event] = host.events("userMigration")
    envelope_ok(event, "UserMigration_ForgotPassword", pool_id, client_id, "forgetful.fay")
    assert event["request"] == {"validationData": {}, "clientMetadata": {}}
    assert attributes(idp, pool_id, "forgetful.fay")[0] == "RESET_REQUIRED"

    code = outbox_code(server, pool_id, "fay@legacy.example")
    idp.confirm_forgot_password(ClientId=client_id, Username="forgetful.fay",
                                ConfirmationCode=code, Password="New-Pass-123")
    assert attributes(idp, pool_id, "forgetful.fay")[0] == "CONFIRMED"
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "forgetful.fay",
                                               "PASSWORD": "New-Pass-123"})["AuthenticationResult"]
    assert jwt_claims(tokens["IdToken"])["email"] == "fay@legacy.example"

    # Unknown to the legacy store as well.
    with pytest.raises(ClientError) as e:
        idp.forgot_password(ClientId=client_id, Username="nobody")
    assert error_of(e) == ("UserNotFoundException",
                           f"Exception migrating user in app client {client_id}.")
    hidden = make_client(idp, pool_id, prevent="ENABLED")
    simulated = idp.forgot_password(ClientId=hidden, Username="nobody")
    assert simulated["CodeDeliveryDetails"]["DeliveryMedium"] in ("EMAIL", "SMS")
