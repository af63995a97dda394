"""CUSTOM_AUTH through boto3 against Lambda-style handlers (handlers/customauth_handlers.mjs): a
passwordless magic-code sign-in built only from DefineAuthChallenge, CreateAuthChallenge and
VerifyAuthChallengeResponse; SRP_A then PASSWORD_VERIFIER before the custom challenge; the admin
operations; unknown users with and without PreventUserExistenceErrors; Cognito's errors for a
missing trigger, a disallowed flow, a handler that throws, answers garbage or is down, and the
round limit. Every event the handlers received is checked field by field."""

import pytest
from botocore.exceptions import ClientError

from harness import unique
from test_auth import PASSWORD, SrpClient, error_of, jwt_claims

HANDLERS = "handlers/customauth_handlers.mjs"
CODE = "135790"


@pytest.fixture(scope="module")
def host(lambda_host):
    return lambda_host(HANDLERS)


@pytest.fixture
def fixed_code(host):
    host.clear()
    host.set_state({"code": CODE})
    return CODE


def lambda_config(host, define="defineAuthChallenge"):
    return {"DefineAuthChallenge": host.url(define),
            "CreateAuthChallenge": host.url("createAuthChallenge"),
            "VerifyAuthChallengeResponse": host.url("verifyAuthChallengeResponse")}


def make_pool(idp, host, define="defineAuthChallenge"):
    return idp.create_user_pool(PoolName=unique("custom"),
                                LambdaConfig=lambda_config(host, define))["UserPool"]["Id"]


def make_client(idp, pool_id, prevent="ENABLED",
                flows=("ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")):
    return idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("c"), ExplicitAuthFlows=list(flows),
        PreventUserExistenceErrors=prevent)["UserPoolClient"]["ClientId"]


def make_user(idp, pool_id, username, email):
    user = idp.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS", TemporaryPassword=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": email},
                        {"Name": "email_verified", "Value": "true"}])["User"]
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD,
                                Permanent=True)
    return {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]


def envelope_ok(event, source, pool_id, client_id, username):
    assert event["version"] == "1"
    assert event["triggerSource"] == source
    assert event["region"] == "us-east-1"
    assert event["userPoolId"] == pool_id
    assert event["userName"] == username
    assert event["callerContext"] == {"awsSdkVersion": "aws-sdk-unknown-unknown",
                                      "clientId": client_id}


def result(name, ok, metadata=None):
    return {"challengeName": name, "challengeResult": ok, "challengeMetadata": metadata}


def test_magic_code_sign_in(idp, host, fixed_code):
    pool_id = make_pool(idp, host)
    client_id = make_client(idp, pool_id)
    sub = make_user(idp, pool_id, "mia", "mia@example.com")
    user_attributes = {"sub": sub, "email": "mia@example.com", "email_verified": "true",
                       "cognito:user_status": "CONFIRMED"}

    first = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": "mia"},
                              ClientMetadata={"channel": "initiate"})
    assert first["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert first["ChallengeParameters"] == {"USERNAME": "mia", "email": "m***@example.com",
                                            "attempt": "1"}
    assert 20 <= len(first["Session"]) <= 2048

    wrong = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"USERNAME": "mia", "ANSWER": "000000"})
    assert wrong["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert wrong["ChallengeParameters"]["attempt"] == "2"
    assert wrong["Session"] != first["Session"]

    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
        ChallengeResponses={"USERNAME": "mia", "ANSWER": fixed_code},
        ClientMetadata={"channel": "respond"})
    tokens = done["AuthenticationResult"]
    assert jwt_claims(tokens["AccessToken"])["sub"] == sub
    assert jwt_claims(tokens["IdToken"])["email"] == "mia@example.com"
    assert "RefreshToken" in tokens

    # The spent sessions are refused.
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=wrong["Session"],
            ChallengeResponses={"USERNAME": "mia", "ANSWER": fixed_code})
    assert error_of(e) == ("NotAuthorizedException", "Invalid session for the user.")

    defines = host.events("defineAuthChallenge")
    creates = host.events("createAuthChallenge")
    verifies = host.events("verifyAuthChallengeResponse")
    assert (len(defines), len(creates), len(verifies)) == (3, 2, 2)
    for event in defines:
        envelope_ok(event, "DefineAuthChallenge_Authentication", pool_id, client_id, "mia")
    for event in creates:
        envelope_ok(event, "CreateAuthChallenge_Authentication", pool_id, client_id, "mia")
    for event in verifies:
        envelope_ok(event, "VerifyAuthChallengeResponse_Authentication", pool_id, client_id, "mia")

    # InitiateAuth gives Define / Create no ClientMetadata; RespondToAuthChallenge does.
    assert defines[0]["request"] == {"userAttributes": user_attributes, "session": [],
                                     "userNotFound": False}
    assert defines[0]["response"] == {}
    assert creates[0]["request"] == {"userAttributes": user_attributes,
                                     "challengeName": "CUSTOM_CHALLENGE", "session": [],
                                     "userNotFound": False}
    assert verifies[0]["request"] == {"userAttributes": user_attributes,
                                      "privateChallengeParameters": {"code": fixed_code},
                                      "challengeAnswer": "000000", "userNotFound": False}
    round_one = [result("CUSTOM_CHALLENGE", False, "MAGIC_CODE-0")]
    assert defines[1]["request"] == {"userAttributes": user_attributes, "session": round_one,
                                     "userNotFound": False}
    assert creates[1]["request"]["session"] == round_one
    assert verifies[1]["request"] == {"userAttributes": user_attributes,
                                      "privateChallengeParameters": {"code": fixed_code},
                                      "challengeAnswer": fixed_code,
                                      "clientMetadata": {"channel": "respond"},
                                      "userNotFound": False}
    assert defines[2]["request"] == {
        "userAttributes": user_attributes,
        "session": round_one + [result("CUSTOM_CHALLENGE", True, "MAGIC_CODE-1")],
        "clientMetadata": {"channel": "respond"}, "userNotFound": False}


def test_srp_then_password_verifier_then_custom_challenge(idp, host, fixed_code):
    pool_id = make_pool(idp, host)
    client_id = make_client(idp, pool_id, prevent="LEGACY")
    sub = make_user(idp, pool_id, "sam", "sam@example.com")
    srp = SrpClient(pool_id)
    first = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": "sam", "CHALLENGE_NAME": "SRP_A",
                                              "SRP_A": srp.srp_a})
    assert first["ChallengeName"] == "PASSWORD_VERIFIER"
    assert set(first["ChallengeParameters"]) == {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME",
                                                 "USER_ID_FOR_SRP"}
    assert host.events("createAuthChallenge") == []
    second = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=first["Session"],
        ChallengeResponses=srp.claim(first["ChallengeParameters"], PASSWORD))
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=second["Session"],
        ChallengeResponses={"USERNAME": "sam", "ANSWER": fixed_code})
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["sub"] == sub

    sessions = [e["request"]["session"] for e in host.events("defineAuthChallenge")]
    assert sessions == [
        [result("SRP_A", True)],
        [result("SRP_A", True), result("PASSWORD_VERIFIER", True)],
        [result("SRP_A", True), result("PASSWORD_VERIFIER", True),
         result("CUSTOM_CHALLENGE", True, "MAGIC_CODE-2")],
    ]
    # No userNotFound without PreventUserExistenceErrors.
    assert "userNotFound" not in host.events("defineAuthChallenge")[0]["request"]

    # A wrong password inside custom auth fails like any wrong password.
    again = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                              AuthParameters={"USERNAME": "sam", "CHALLENGE_NAME": "SRP_A",
                                              "SRP_A": srp.srp_a})
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=again["Session"],
            ChallengeResponses=srp.claim(again["ChallengeParameters"], "Wrong-pass1"))
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_admin_operations_and_three_wrong_answers(idp, host, fixed_code):
    pool_id = make_pool(idp, host)
    client_id = make_client(idp, pool_id)
    sub = make_user(idp, pool_id, "ada", "ada@example.com")
    step = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                                   AuthParameters={"USERNAME": "ada"})
    done = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"], ChallengeResponses={"USERNAME": "ada", "ANSWER": fixed_code})
    assert jwt_claims(done["AuthenticationResult"]["IdToken"])["sub"] == sub

    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": "ada"})
    for attempt in range(2):
        step = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": "ada", "ANSWER": "wrong"})
        assert step["ChallengeParameters"]["attempt"] == str(attempt + 2)
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": "ada", "ANSWER": "wrong"})
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_unknown_users(idp, host, fixed_code):
    pool_id = make_pool(idp, host)
    legacy = make_client(idp, pool_id, prevent="LEGACY")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=legacy, AuthFlow="CUSTOM_AUTH",
                          AuthParameters={"USERNAME": "ghost"})
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    assert host.events("defineAuthChallenge") == []

    # PreventUserExistenceErrors: the triggers see userNotFound and the sign-in looks the same.
    client_id = make_client(idp, pool_id)
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": "ghost"})
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert step["ChallengeParameters"] == {"USERNAME": "ghost", "email": "", "attempt": "1"}
    define = host.events("defineAuthChallenge")[0]
    envelope_ok(define, "DefineAuthChallenge_Authentication", pool_id, client_id, "ghost")
    assert define["request"] == {"userAttributes": {}, "session": [], "userNotFound": True}
    for _ in range(2):
        step = idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": "ghost", "ANSWER": "nope"})
    assert host.events("verifyAuthChallengeResponse")[0]["request"]["userNotFound"] is True
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
            ChallengeResponses={"USERNAME": "ghost", "ANSWER": "nope"})
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")


def test_configuration_and_flow_errors(idp, host, fixed_code):
    bare = idp.create_user_pool(PoolName=unique("bare"))["UserPool"]["Id"]
    make_user(idp, bare, "bo", "bo@example.com")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=make_client(idp, bare), AuthFlow="CUSTOM_AUTH",
                          AuthParameters={"USERNAME": "bo"})
    assert error_of(e) == ("InvalidParameterException",
                           "Custom auth lambda trigger is not configured for the user pool.")

    pool_id = make_pool(idp, host)
    make_user(idp, pool_id, "bo", "bo@example.com")
    srp_only = make_client(idp, pool_id, flows=["ALLOW_USER_SRP_AUTH"])
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=srp_only, AuthFlow="CUSTOM_AUTH",
                          AuthParameters={"USERNAME": "bo"})
    assert error_of(e) == ("InvalidParameterException",
                           "CUSTOM_AUTH flow not enabled for this client")
    # The legacy value CUSTOM_AUTH_FLOW_ONLY allows it too.
    only = make_client(idp, pool_id, flows=["CUSTOM_AUTH_FLOW_ONLY"])
    step = idp.initiate_auth(ClientId=only, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": "bo"})
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=only, ChallengeName="CUSTOM_CHALLENGE",
                                      Session=step["Session"],
                                      ChallengeResponses={"USERNAME": "bo"})
    assert error_of(e) == ("InvalidParameterException", "Missing required parameter ANSWER")


@pytest.mark.parametrize("define,code,message", [
    ("defineThrows", "UserLambdaValidationException",
     "DefineAuthChallenge failed with error the challenge service is down."),
    ("defineGarbage", "InvalidLambdaResponseException", "Unrecognizable lambda output"),
    ("_garbage", "InvalidLambdaResponseException", "Unrecognizable lambda output"),
])
def test_handler_errors_reach_the_client(idp, host, fixed_code, define, code, message):
    pool_id = make_pool(idp, host, define=define)
    client_id = make_client(idp, pool_id)
    make_user(idp, pool_id, "eve", "eve@example.com")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                          AuthParameters={"USERNAME": "eve"})
    assert error_of(e) == (code, message)


def test_function_down(idp, host, fixed_code):
    pool_id = idp.create_user_pool(
        PoolName=unique("down"),
        LambdaConfig={**lambda_config(host),
                      "CreateAuthChallenge": "http://127.0.0.1:9/createAuthChallenge"})["UserPool"]["Id"]
    client_id = make_client(idp, pool_id)
    make_user(idp, pool_id, "dan", "dan@example.com")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                          AuthParameters={"USERNAME": "dan"})
    code, message = error_of(e)
    assert code == "UnexpectedLambdaException"
    assert message.startswith("CreateAuthChallenge invocation failed due to error ")


def test_round_limit(idp, host, fixed_code):
    pool_id = make_pool(idp, host, define="defineForever")
    client_id = make_client(idp, pool_id)
    make_user(idp, pool_id, "lou", "lou@example.com")
    step = idp.initiate_auth(ClientId=client_id, AuthFlow="CUSTOM_AUTH",
                             AuthParameters={"USERNAME": "lou"})
    answered = 0
    with pytest.raises(ClientError) as e:
        while answered < 20:
            step = idp.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
                ChallengeResponses={"USERNAME": "lou", "ANSWER": fixed_code})
            answered += 1
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    # Ten challenge results are allowed; the eleventh ends the sign-in without calling Define.
    assert answered == 10
    assert len(host.events("defineForever")) == 11
