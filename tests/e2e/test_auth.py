"""Sign-in flows through boto3: USER_SRP_AUTH (with a client side written here from first
principles), USER_PASSWORD_AUTH, the admin password flows, refresh, NEW_PASSWORD_REQUIRED, and
Cognito's errors: client secrets, disallowed flows, wrong passwords, lockout, replayed sessions."""

import base64
import datetime
import hashlib
import hmac
import json
import secrets
import threading
import time

import pytest
from botocore.exceptions import ClientError

from harness import unique

PASSWORD = "Passw0rd!"

# ---------------------------------------------------------------------------------------------
# Cognito's SRP-6a client, independent of the server's C++: RFC 5054's 3072-bit group, g = 2,
# SHA-256, integers hashed in Java BigInteger.toByteArray form, HKDF "Caldera Derived Key".

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2


def int_bytes(n: int) -> bytes:
    """BigInteger.toByteArray of a non-negative integer."""
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    b = bytes.fromhex(h)
    return b"\x00" + b if b[0] & 0x80 else b


def sha(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


K = int.from_bytes(sha(int_bytes(N), int_bytes(G)), "big")


def srp_timestamp(when: datetime.datetime | None = None) -> str:
    when = when or datetime.datetime.now(datetime.timezone.utc)
    return when.strftime("%a %b ") + str(when.day) + when.strftime(" %H:%M:%S UTC %Y")


class SrpClient:
    def __init__(self, pool_id: str):
        self.pool_name = pool_id.split("_", 1)[1]
        self.a = int.from_bytes(secrets.token_bytes(128), "big") % N
        self.A = pow(G, self.a, N)

    @property
    def srp_a(self) -> str:
        return format(self.A, "x")

    def claim(self, params: dict, password: str, timestamp: str | None = None) -> dict:
        user_id = params["USER_ID_FOR_SRP"]
        B = int(params["SRP_B"], 16)
        salt = int(params["SALT"], 16)
        u = int.from_bytes(sha(int_bytes(self.A), int_bytes(B)), "big")
        inner = sha(f"{self.pool_name}{user_id}:{password}".encode())
        x = int.from_bytes(sha(int_bytes(salt), inner), "big")
        S = pow(B - K * pow(G, x, N), self.a + u * x, N)
        prk = hmac.new(int_bytes(u), int_bytes(S), hashlib.sha256).digest()
        key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
        ts = timestamp or srp_timestamp()
        msg = (self.pool_name.encode() + user_id.encode()
               + base64.b64decode(params["SECRET_BLOCK"]) + ts.encode())
        sig = base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()
        return {"USERNAME": params["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}


def secret_hash(secret: str, username: str, client_id: str) -> str:
    return base64.b64encode(
        hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    ).decode()


def jwt_claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


# ---------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def pid(idp):
    return idp.create_user_pool(PoolName=unique("auth"))["UserPool"]["Id"]


def make_client(idp, pool_id, flows, **kwargs):
    return idp.create_user_pool_client(UserPoolId=pool_id, ClientName=unique("c"),
                                       ExplicitAuthFlows=flows, **kwargs)["UserPoolClient"]


ALL_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
             "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def cid(idp, pid):
    return make_client(idp, pid, ALL_FLOWS)["ClientId"]


def make_user(idp, pool_id, username, password=PASSWORD, permanent=True, attrs=()):
    user = idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                                 TemporaryPassword=password, UserAttributes=list(attrs))["User"]
    if permanent:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password,
                                    Permanent=True)
    return {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]


def password_auth(idp, cid, username, password=PASSWORD, **params):
    return idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": username, "PASSWORD": password, **params})


def srp_auth(idp, pool_id, cid, username, password=PASSWORD, extra=None):
    client = SrpClient(pool_id)
    params = {"USERNAME": username, "SRP_A": client.srp_a, **(extra or {})}
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH", AuthParameters=params)
    assert ch["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = client.claim(ch["ChallengeParameters"], password)
    answer.update(extra or {})
    return ch, answer


def assert_tokens(result, sub, with_refresh=True):
    r = result["AuthenticationResult"]
    assert r["TokenType"] == "Bearer"
    assert r["ExpiresIn"] == 3600
    assert jwt_claims(r["AccessToken"])["sub"] == sub
    assert jwt_claims(r["IdToken"])["sub"] == sub
    assert ("RefreshToken" in r) == with_refresh
    return r


# ---------------------------------------------------------------------------------------------


def test_user_password_auth_and_refresh(idp, pid, cid):
    sub = make_user(idp, pid, "alice")
    r = password_auth(idp, cid, "alice")
    assert r["ChallengeParameters"] == {}
    tokens = assert_tokens(r, sub)
    claims = jwt_claims(tokens["AccessToken"])
    assert claims["token_use"] == "access" and claims["client_id"] == cid

    again = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert_tokens(again, sub, with_refresh=False)
    same = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN",
                             AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert_tokens(same, sub, with_refresh=False)
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": "garbage"})
    assert error_of(e)[0] == "NotAuthorizedException"


def test_get_tokens_from_refresh_token(server, idp, pid):
    # Newer than Debian's botocore: sent raw (unsigned, as the SDKs send it).
    c = make_client(idp, pid, ALL_FLOWS, GenerateSecret=True)
    sub = make_user(idp, pid, "bob")
    r = idp.initiate_auth(ClientId=c["ClientId"], AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD,
                                          "SECRET_HASH": secret_hash(c["ClientSecret"], "bob",
                                                                     c["ClientId"])})
    refresh = r["AuthenticationResult"]["RefreshToken"]
    ok = server.call_raw("GetTokensFromRefreshToken",
                         {"ClientId": c["ClientId"], "RefreshToken": refresh,
                          "ClientSecret": c["ClientSecret"]}, signed=False)
    assert ok.status == 200, ok.body
    assert jwt_claims(ok.json()["AuthenticationResult"]["AccessToken"])["sub"] == sub
    bad = server.call_raw("GetTokensFromRefreshToken",
                          {"ClientId": c["ClientId"], "RefreshToken": refresh,
                           "ClientSecret": "x" * 51}, signed=False)
    assert bad.error_type == "NotAuthorizedException"
    assert bad.json()["message"] == f"Unable to verify secret hash for client {c['ClientId']}"


def test_admin_password_flows(idp, pid, cid):
    sub = make_user(idp, pid, "carol")
    r = idp.admin_initiate_auth(UserPoolId=pid, ClientId=cid, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD})
    assert_tokens(r, sub)
    legacy = make_client(idp, pid, ["ADMIN_NO_SRP_AUTH"])["ClientId"]
    r = idp.admin_initiate_auth(UserPoolId=pid, ClientId=legacy, AuthFlow="ADMIN_NO_SRP_AUTH",
                                AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD})
    assert_tokens(r, sub)
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "carol", "PASSWORD": PASSWORD})
    assert error_of(e) == ("InvalidParameterException", "Initiate Auth method not supported.")


def test_srp_sign_in(idp, pid, cid):
    sub = make_user(idp, pid, "dave")
    ch, answer = srp_auth(idp, pid, cid, "dave")
    p = ch["ChallengeParameters"]
    assert set(p) == {"SALT", "SECRET_BLOCK", "SRP_B", "USERNAME", "USER_ID_FOR_SRP"}
    assert p["USERNAME"] == "dave" and p["USER_ID_FOR_SRP"] == "dave"
    r = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert_tokens(r, sub)
    # The secret block answers once.
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException", "Invalid session for the user.")


def test_srp_answer_sent_many_times_at_once_signs_in_once(server, idp, pid, cid):
    # Copies of one correct answer at once: whichever starts the block's token family first signs
    # in; every other copy finds the block spent.
    sub = make_user(idp, pid, "racer")
    _, answer = srp_auth(idp, pid, cid, "racer")
    body = {"ClientId": cid, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer}
    results = []
    start = threading.Barrier(6)

    def send():
        start.wait()
        results.append(server.call_raw("RespondToAuthChallenge", body, signed=False))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if r.status == 200]
    assert len(ok) == 1
    assert jwt_claims(ok[0].json()["AuthenticationResult"]["AccessToken"])["sub"] == sub
    refused = sorted((r.error_type, r.json()["message"]) for r in results if r.status != 200)
    assert refused == [("NotAuthorizedException", "Invalid session for the user.")] * 5


def test_srp_by_email_and_admin(idp):
    pool_id = idp.create_user_pool(PoolName=unique("email"), UsernameAttributes=["email"])[
        "UserPool"]["Id"]
    cid = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    sub = make_user(idp, pool_id, "erin@example.com", attrs=[{"Name": "email",
                                                               "Value": "erin@example.com"}])
    client = SrpClient(pool_id)
    ch = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid, AuthFlow="USER_SRP_AUTH",
                                 AuthParameters={"USERNAME": "erin@example.com",
                                                 "SRP_A": client.srp_a})
    assert ch["ChallengeParameters"]["USER_ID_FOR_SRP"] == sub
    r = idp.admin_respond_to_auth_challenge(
        UserPoolId=pool_id, ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=client.claim(ch["ChallengeParameters"], PASSWORD))
    assert_tokens(r, sub)


def test_srp_wrong_password_and_timestamp(idp, pid, cid):
    make_user(idp, pid, "fred")
    _, answer = srp_auth(idp, pid, cid, "fred", password="Wrong0000!")
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    _, answer = srp_auth(idp, pid, cid, "fred")
    answer["TIMESTAMP"] = "not a time"
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("InvalidParameterException",
                           "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")


def test_unknown_user(idp, pid, cid):
    # New clients have PreventUserExistenceErrors ENABLED: a decoy challenge, then a failure like
    # a wrong password.
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "ghost")
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    ch, answer = srp_auth(idp, pid, cid, "ghost")
    assert ch["ChallengeParameters"]["USER_ID_FOR_SRP"] == "ghost"
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")

    legacy = make_client(idp, pid, ALL_FLOWS, PreventUserExistenceErrors="LEGACY")["ClientId"]
    with pytest.raises(ClientError) as e:
        password_auth(idp, legacy, "ghost")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=legacy, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "ghost", "SRP_A": SrpClient(pid).srp_a})
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_client_secret(idp, pid):
    c = make_client(idp, pid, ALL_FLOWS, GenerateSecret=True)
    cid, secret = c["ClientId"], c["ClientSecret"]
    sub = make_user(idp, pid, "gina")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "gina")
    assert error_of(e) == ("NotAuthorizedException",
                           f"Client {cid} is configured with secret but SECRET_HASH was not received")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "gina", SECRET_HASH=secret_hash(secret, "other", cid))
    assert error_of(e) == ("NotAuthorizedException", f"Unable to verify secret hash for client {cid}")
    r = password_auth(idp, cid, "gina", SECRET_HASH=secret_hash(secret, "gina", cid))
    tokens = assert_tokens(r, sub)
    # SRP with the hash on both legs.
    extra = {"SECRET_HASH": secret_hash(secret, "gina", cid)}
    _, answer = srp_auth(idp, pid, cid, "gina", extra=extra)
    assert_tokens(idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                                ChallengeResponses=answer), sub)
    # Refresh: the hash is over the user's username.
    r = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"],
                                          "SECRET_HASH": secret_hash(secret, "gina", cid)})
    assert_tokens(r, sub, with_refresh=False)


def test_disallowed_flows(idp, pid):
    make_user(idp, pid, "hank")
    srp_only = make_client(idp, pid, ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    with pytest.raises(ClientError) as e:
        password_auth(idp, srp_only, "hank")
    assert error_of(e) == ("InvalidParameterException",
                           "USER_PASSWORD_AUTH flow not enabled for this client")
    with pytest.raises(ClientError) as e:
        idp.admin_initiate_auth(UserPoolId=pid, ClientId=srp_only,
                                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": "hank", "PASSWORD": PASSWORD})
    assert error_of(e) == ("InvalidParameterException", "Auth flow not enabled for this client")
    pw_only = make_client(idp, pid, ["ALLOW_USER_PASSWORD_AUTH",
                                     "ALLOW_REFRESH_TOKEN_AUTH"])["ClientId"]
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=pw_only, AuthFlow="USER_SRP_AUTH",
                          AuthParameters={"USERNAME": "hank", "SRP_A": SrpClient(pid).srp_a})
    assert error_of(e) == ("InvalidParameterException",
                           "USER_SRP_AUTH is not enabled for the client.")


def test_user_states(idp, pid, cid):
    make_user(idp, pid, "ivy")
    idp.admin_disable_user(UserPoolId=pid, Username="ivy")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "ivy")
    assert error_of(e) == ("NotAuthorizedException", "User is disabled.")
    make_user(idp, pid, "jack", attrs=[{"Name": "email", "Value": "jack@example.com"},
                                       {"Name": "email_verified", "Value": "true"}])
    idp.admin_reset_user_password(UserPoolId=pid, Username="jack")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "jack")
    assert error_of(e) == ("PasswordResetRequiredException", "Password reset required for the user")
    idp.sign_up(ClientId=cid, Username="kim", Password=PASSWORD)
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "kim", password="Wrong0000!")
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "kim")
    assert error_of(e) == ("UserNotConfirmedException", "User is not confirmed.")
    _, answer = srp_auth(idp, pid, cid, "kim")
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    assert error_of(e) == ("UserNotConfirmedException", "User is not confirmed.")


def test_wrong_password_and_lockout(idp, pid, cid):
    sub = make_user(idp, pid, "kate")

    def wrong():
        with pytest.raises(ClientError) as e:
            password_auth(idp, cid, "kate", password="Wrong0000!")
        return error_of(e)

    for _ in range(5):
        assert wrong() == ("NotAuthorizedException", "Incorrect username or password.")
    # The fifth failure locked the user for 1 s, the sixth (after it) locks for 2 s.
    time.sleep(1.1)
    assert wrong() == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as e:
        password_auth(idp, cid, "kate")  # even the right password is refused while locked
    assert error_of(e) == ("NotAuthorizedException", "Password attempts exceeded")
    time.sleep(2.1)
    assert_tokens(password_auth(idp, cid, "kate"), sub)
    # Success started over: the next failure is an ordinary one.
    assert wrong() == ("NotAuthorizedException", "Incorrect username or password.")


def test_new_password_required(idp, pid, cid):
    sub = make_user(idp, pid, "liam", password="Temp0rary!", permanent=False,
                    attrs=[{"Name": "email", "Value": "liam@example.com"}])
    ch = password_auth(idp, cid, "liam", password="Temp0rary!")
    assert ch["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    p = ch["ChallengeParameters"]
    assert json.loads(p["requiredAttributes"]) == []
    assert json.loads(p["userAttributes"])["email"] == "liam@example.com"
    assert p["USER_ID_FOR_SRP"] == "liam"
    session = ch["Session"]
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session,
                                      ChallengeResponses={"USERNAME": "liam",
                                                          "NEW_PASSWORD": "weak"})
    assert error_of(e)[0] == "InvalidPasswordException"
    answer = {"USERNAME": "liam", "NEW_PASSWORD": "N3w-Passw0rd!",
              "userAttributes.given_name": "Liam"}
    r = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session, ChallengeResponses=answer)
    assert_tokens(r, sub)
    u = idp.admin_get_user(UserPoolId=pid, Username="liam")
    assert u["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in u["UserAttributes"]}["given_name"] == "Liam"
    # A used session cannot be replayed.
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session=session, ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException", "Invalid session for the user.")
    # The new password works for both password and SRP sign-in.
    assert_tokens(password_auth(idp, cid, "liam", password="N3w-Passw0rd!"), sub)
    _, answer = srp_auth(idp, pid, cid, "liam", password="N3w-Passw0rd!")
    assert_tokens(idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                                ChallengeResponses=answer), sub)


def test_new_password_required_admin_and_srp(idp, pid, cid):
    sub = make_user(idp, pid, "mia", password="Temp0rary!", permanent=False)
    _, answer = srp_auth(idp, pid, cid, "mia", password="Temp0rary!")
    ch = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                       ChallengeResponses=answer)
    assert ch["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    r = idp.admin_respond_to_auth_challenge(
        UserPoolId=pid, ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED", Session=ch["Session"],
        ChallengeResponses={"USERNAME": "mia", "NEW_PASSWORD": "N3w-Passw0rd!"})
    assert_tokens(r, sub)


def test_invalid_session(idp, pid, cid):
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="NEW_PASSWORD_REQUIRED",
                                      Session="x" * 64,
                                      ChallengeResponses={"USERNAME": "nobody",
                                                          "NEW_PASSWORD": "N3w-Passw0rd!"})
    assert error_of(e) == ("NotAuthorizedException", "Invalid session for the user.")
