"""Remembered devices through boto3: NewDeviceMetadata, ConfirmDevice with a device verifier made
here from first principles, DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER in every password flow,
the device operations (and their Admin twins) with Cognito's errors, and device-bound refresh."""

import base64
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from harness import unique
from test_auth import (ALL_FLOWS, G, N, PASSWORD, SrpClient, error_of, int_bytes, jwt_claims,
                       make_client, make_user, secret_hash, sha)

ALWAYS = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
OPT_IN = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": True}
KEY_RE = re.compile(r"^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


class Device:
    """A client's device: its key, group key and random password, and the SRP verifier the client
    registers with ConfirmDevice (x = H(salt | H(group_key | device_key | ":" | password)))."""

    def __init__(self, metadata: dict):
        self.key = metadata["DeviceKey"]
        self.group = metadata["DeviceGroupKey"]
        self.password = base64.b64encode(secrets.token_bytes(40)).decode()
        salt = int.from_bytes(secrets.token_bytes(16), "big")
        inner = sha(f"{self.group}{self.key}:{self.password}".encode())
        x = int.from_bytes(sha(int_bytes(salt), inner), "big")
        verifier = pow(G, x, N)
        self.config = {"PasswordVerifier": base64.b64encode(int_bytes(verifier)).decode(),
                       "Salt": base64.b64encode(int_bytes(salt)).decode()}

    def srp(self):
        # The device variant is the user SRP with the group key as pool name.
        return SrpClient("device_" + self.group)

    def claim(self, srp, params: dict, password: str | None = None) -> dict:
        answer = srp.claim({**params, "USER_ID_FOR_SRP": self.key}, password or self.password)
        answer["DEVICE_KEY"] = self.key
        return answer


def new_pool(idp, device_config=ALWAYS):
    kwargs = {"DeviceConfiguration": device_config} if device_config is not None else {}
    pool_id = idp.create_user_pool(PoolName=unique("dev"), **kwargs)["UserPool"]["Id"]
    client_id = make_client(idp, pool_id, ALL_FLOWS)["ClientId"]
    return pool_id, client_id


def sign_in(idp, cid, username, password=PASSWORD, device_key=None):
    params = {"USERNAME": username, "PASSWORD": password}
    if device_key:
        params["DEVICE_KEY"] = device_key
    return idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params)


def remember(idp, cid, username, expect_prompt=False):
    """Signs in on a new device and confirms it; returns (device, tokens)."""
    r = sign_in(idp, cid, username)["AuthenticationResult"]
    device = Device(r["NewDeviceMetadata"])
    out = idp.confirm_device(AccessToken=r["AccessToken"], DeviceKey=device.key,
                             DeviceSecretVerifierConfig=device.config, DeviceName="pytest")
    assert out["UserConfirmationNecessary"] is expect_prompt
    return device, r


def device_challenge(idp, cid, username, device, session, respond=None, password=None):
    """Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER; returns the final response."""
    respond = respond or (lambda **kw: idp.respond_to_auth_challenge(ClientId=cid, **kw))
    srp = device.srp()
    step = respond(ChallengeName="DEVICE_SRP_AUTH", Session=session,
                   ChallengeResponses={"USERNAME": username, "DEVICE_KEY": device.key,
                                       "SRP_A": srp.srp_a})
    assert step["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
    params = step["ChallengeParameters"]
    assert set(params) >= {"SALT", "SRP_B", "SECRET_BLOCK", "USERNAME"}
    assert step["Session"]
    return respond(ChallengeName="DEVICE_PASSWORD_VERIFIER", Session=step["Session"],
                   ChallengeResponses=device.claim(srp, params, password))


def attributes(device_type: dict) -> dict:
    return {a["Name"]: a["Value"] for a in device_type["DeviceAttributes"]}


# ---------------------------------------------------------------------------------------------


def test_no_device_tracking_no_metadata(idp):
    pool_id, cid = new_pool(idp, device_config=None)
    make_user(idp, pool_id, "ann")
    r = sign_in(idp, cid, "ann")["AuthenticationResult"]
    assert "NewDeviceMetadata" not in r
    assert "device_key" not in jwt_claims(r["AccessToken"])
    # A DEVICE_KEY is ignored where devices are not tracked.
    r = sign_in(idp, cid, "ann", device_key="us-east-1_00000000-0000-4000-8000-000000000000")
    assert "AuthenticationResult" in r
    refreshed = idp.initiate_auth(
        ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": r["AuthenticationResult"]["RefreshToken"],
                        "DEVICE_KEY": "us-east-1_00000000-0000-4000-8000-000000000000"})
    assert "device_key" not in jwt_claims(refreshed["AuthenticationResult"]["AccessToken"])


def test_new_device_metadata_and_confirm(idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "bea")
    r = sign_in(idp, cid, "bea")["AuthenticationResult"]
    meta = r["NewDeviceMetadata"]
    assert KEY_RE.match(meta["DeviceKey"])
    assert re.match(r"^-[0-9A-Za-z]{9}$", meta["DeviceGroupKey"])
    assert jwt_claims(r["AccessToken"])["device_key"] == meta["DeviceKey"]
    # Each sign-in without a device gets a new one.
    again = sign_in(idp, cid, "bea")["AuthenticationResult"]["NewDeviceMetadata"]
    assert again["DeviceKey"] != meta["DeviceKey"]
    # Not listed before ConfirmDevice.
    assert idp.list_devices(AccessToken=r["AccessToken"])["Devices"] == []

    device = Device(meta)
    out = idp.confirm_device(AccessToken=r["AccessToken"], DeviceKey=device.key,
                             DeviceSecretVerifierConfig=device.config, DeviceName="laptop")
    assert out["UserConfirmationNecessary"] is False
    got = idp.get_device(AccessToken=r["AccessToken"], DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key
    attrs = attributes(got)
    assert attrs["device_name"] == "laptop"
    assert attrs["device_status"] == "valid"
    assert attrs["dev:device_remembered_status"] == "remembered"
    assert "last_ip_used" in attrs
    for date in ("DeviceCreateDate", "DeviceLastModifiedDate", "DeviceLastAuthenticatedDate"):
        assert got[date]
    listed = idp.list_devices(AccessToken=r["AccessToken"])["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]
    admin = idp.admin_get_device(UserPoolId=pool_id, Username="bea", DeviceKey=device.key)
    assert admin["Device"]["DeviceKey"] == device.key
    admin_list = idp.admin_list_devices(UserPoolId=pool_id, Username="bea")["Devices"]
    assert [d["DeviceKey"] for d in admin_list] == [device.key]


def test_confirm_device_errors(idp, idp_raw):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "cy")
    r = sign_in(idp, cid, "cy")["AuthenticationResult"]
    device = Device(r["NewDeviceMetadata"])
    other = Device(sign_in(idp, cid, "cy")["AuthenticationResult"]["NewDeviceMetadata"])
    token = r["AccessToken"]
    # A key the token was not issued with.
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken=token, DeviceKey=other.key,
                           DeviceSecretVerifierConfig=other.config)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    # A verifier that is no SRP verifier.
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken=token, DeviceKey=device.key,
                           DeviceSecretVerifierConfig={"PasswordVerifier": "AAAA", "Salt": "AQID"})
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken=token, DeviceKey=device.key,
                           DeviceSecretVerifierConfig={"PasswordVerifier": "***", "Salt": "AQID"})
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken="not-a-token", DeviceKey=device.key,
                           DeviceSecretVerifierConfig=device.config)
    assert error_of(e)[0] == "NotAuthorizedException"
    idp.confirm_device(AccessToken=token, DeviceKey=device.key,
                       DeviceSecretVerifierConfig=device.config)
    with pytest.raises(ClientError) as e:
        idp.confirm_device(AccessToken=token, DeviceKey=device.key,
                           DeviceSecretVerifierConfig=device.config)
    assert error_of(e)[0] == "DeviceKeyExistsException"


def test_device_srp_after_srp_sign_in(idp):
    pool_id, cid = new_pool(idp)
    sub = make_user(idp, pool_id, "dan")
    device, _ = remember(idp, cid, "dan")

    srp = SrpClient(pool_id)
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": "dan", "SRP_A": srp.srp_a,
                                           "DEVICE_KEY": device.key})
    assert ch["ChallengeName"] == "PASSWORD_VERIFIER"
    answer = srp.claim(ch["ChallengeParameters"], PASSWORD)
    answer["DEVICE_KEY"] = device.key
    step = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                         ChallengeResponses=answer)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert step["Session"]
    done = device_challenge(idp, cid, "dan", device, step["Session"])
    result = done["AuthenticationResult"]
    assert "NewDeviceMetadata" not in result
    claims = jwt_claims(result["AccessToken"])
    assert claims["sub"] == sub and claims["device_key"] == device.key
    got = idp.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    assert got["DeviceLastAuthenticatedDate"] >= got["DeviceCreateDate"]


def test_device_srp_in_password_and_admin_flows(idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "eve")
    device, _ = remember(idp, cid, "eve")
    step = sign_in(idp, cid, "eve", device_key=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    done = device_challenge(idp, cid, "eve", device, step["Session"])
    assert jwt_claims(done["AuthenticationResult"]["AccessToken"])["device_key"] == device.key

    step = idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=cid,
                                   AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "eve", "PASSWORD": PASSWORD,
                                                   "DEVICE_KEY": device.key})
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"

    def admin_respond(**kw):
        return idp.admin_respond_to_auth_challenge(UserPoolId=pool_id, ClientId=cid, **kw)

    done = device_challenge(idp, cid, "eve", device, step["Session"], respond=admin_respond)
    assert "NewDeviceMetadata" not in done["AuthenticationResult"]


def test_wrong_device_proof_and_replay(idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "fay")
    device, _ = remember(idp, cid, "fay")
    step = sign_in(idp, cid, "fay", device_key=device.key)
    with pytest.raises(ClientError) as e:
        device_challenge(idp, cid, "fay", device, step["Session"], password="not-the-device")
    assert error_of(e) == ("NotAuthorizedException", "Incorrect username or password.")

    # A proof is answered once.
    step = sign_in(idp, cid, "fay", device_key=device.key)
    srp = device.srp()
    mid = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": "fay", "DEVICE_KEY": device.key, "SRP_A": srp.srp_a})
    answer = device.claim(srp, mid["ChallengeParameters"])
    idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                  Session=mid["Session"], ChallengeResponses=answer)
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                      Session=mid["Session"], ChallengeResponses=answer)
    assert error_of(e) == ("NotAuthorizedException", "Invalid session for the user.")
    # The DEVICE_SRP_AUTH session is spent too.
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=cid, ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
            ChallengeResponses={"USERNAME": "fay", "DEVICE_KEY": device.key, "SRP_A": srp.srp_a})
    assert error_of(e)[0] == "NotAuthorizedException"
    # Missing parameters.
    step = sign_in(idp, cid, "fay", device_key=device.key)
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="DEVICE_SRP_AUTH",
                                      Session=step["Session"],
                                      ChallengeResponses={"USERNAME": "fay",
                                                          "DEVICE_KEY": device.key})
    assert error_of(e) == ("InvalidParameterException", "Missing required parameter SRP_A")


def test_unknown_device_key(idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "gus")
    unknown = "us-east-1_11111111-2222-4333-8444-555555555555"
    with pytest.raises(ClientError) as e:
        sign_in(idp, cid, "gus", device_key=unknown)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    # The same after an SRP first factor.
    srp = SrpClient(pool_id)
    ch = idp.initiate_auth(ClientId=cid, AuthFlow="USER_SRP_AUTH",
                           AuthParameters={"USERNAME": "gus", "SRP_A": srp.srp_a,
                                           "DEVICE_KEY": unknown})
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=srp.claim(ch["ChallengeParameters"],
                                                                   PASSWORD))
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    # Another user's device is unknown to this one.
    make_user(idp, pool_id, "hal")
    device, _ = remember(idp, cid, "hal")
    with pytest.raises(ClientError) as e:
        sign_in(idp, cid, "gus", device_key=device.key)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")


def test_opt_in_pool_remembers_on_prompt(idp):
    pool_id, cid = new_pool(idp, OPT_IN)
    make_user(idp, pool_id, "ivy")
    device, r = remember(idp, cid, "ivy", expect_prompt=True)
    token = r["AccessToken"]
    got = idp.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "not_remembered"
    # A known but not remembered device: tokens at once, bound to it, no new metadata.
    direct = sign_in(idp, cid, "ivy", device_key=device.key)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in direct
    assert jwt_claims(direct["AccessToken"])["device_key"] == device.key

    idp.update_device_status(AccessToken=token, DeviceKey=device.key,
                             DeviceRememberedStatus="remembered")
    got = idp.get_device(AccessToken=token, DeviceKey=device.key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "remembered"
    step = sign_in(idp, cid, "ivy", device_key=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    assert "AuthenticationResult" in device_challenge(idp, cid, "ivy", device, step["Session"])

    idp.admin_update_device_status(UserPoolId=pool_id, Username="ivy", DeviceKey=device.key,
                                   DeviceRememberedStatus="not_remembered")
    assert "AuthenticationResult" in sign_in(idp, cid, "ivy", device_key=device.key)


def test_update_status_errors(idp, idp_raw):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "jo")
    device, r = remember(idp, cid, "jo")
    with pytest.raises(ClientError) as e:
        idp_raw.update_device_status(AccessToken=r["AccessToken"], DeviceKey=device.key,
                                     DeviceRememberedStatus="sometimes")
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp.update_device_status(AccessToken=r["AccessToken"],
                                 DeviceKey="us-east-1_00000000-0000-4000-8000-000000000000",
                                 DeviceRememberedStatus="remembered")
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_update_device_status(UserPoolId=pool_id, Username="nobody",
                                       DeviceKey=device.key, DeviceRememberedStatus="remembered")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_forget_device(idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "kim")
    device, r = remember(idp, cid, "kim")
    second, r2 = remember(idp, cid, "kim")
    keys = {d["DeviceKey"] for d in idp.list_devices(AccessToken=r["AccessToken"])["Devices"]}
    assert keys == {device.key, second.key}

    idp.forget_device(AccessToken=r["AccessToken"], DeviceKey=device.key)
    with pytest.raises(ClientError) as e:
        idp.get_device(AccessToken=r["AccessToken"], DeviceKey=device.key)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    with pytest.raises(ClientError) as e:
        idp.forget_device(AccessToken=r["AccessToken"], DeviceKey=device.key)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    # Its refresh tokens no longer work; a sign-in naming it is refused; without it, a new one.
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": r["RefreshToken"],
                                          "DEVICE_KEY": device.key})
    assert error_of(e) == ("NotAuthorizedException", "Invalid Refresh Token")
    with pytest.raises(ClientError) as e:
        sign_in(idp, cid, "kim", device_key=device.key)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    assert "NewDeviceMetadata" in sign_in(idp, cid, "kim")["AuthenticationResult"]

    idp.admin_forget_device(UserPoolId=pool_id, Username="kim", DeviceKey=second.key)
    assert idp.admin_list_devices(UserPoolId=pool_id, Username="kim")["Devices"] == []
    with pytest.raises(ClientError) as e:
        idp.admin_forget_device(UserPoolId=pool_id, Username="kim", DeviceKey=second.key)
    assert error_of(e) == ("ResourceNotFoundException", "Device does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_get_device(UserPoolId=pool_id, Username="ghost", DeviceKey=second.key)
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_list_devices(UserPoolId="us-east-1_nopool", Username="kim")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_refresh_with_device_key(server, idp):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "lee")
    device, r = remember(idp, cid, "lee")
    ok = idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                           AuthParameters={"REFRESH_TOKEN": r["RefreshToken"],
                                           "DEVICE_KEY": device.key})
    assert jwt_claims(ok["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    for params in ({}, {"DEVICE_KEY": "us-east-1_00000000-0000-4000-8000-000000000000"}):
        with pytest.raises(ClientError) as e:
            idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": r["RefreshToken"], **params})
        assert error_of(e) == ("NotAuthorizedException", "Invalid Refresh Token")
    # GetTokensFromRefreshToken (newer than Debian's botocore: sent raw).
    good = server.call_raw("GetTokensFromRefreshToken",
                           {"ClientId": cid, "RefreshToken": r["RefreshToken"],
                            "DeviceKey": device.key}, signed=False)
    assert good.status == 200, good.body
    bad = server.call_raw("GetTokensFromRefreshToken",
                          {"ClientId": cid, "RefreshToken": r["RefreshToken"]}, signed=False)
    assert bad.status == 400 and bad.json()["__type"].endswith("NotAuthorizedException")
    # Tokens of a device never confirmed do not refresh.
    fresh = sign_in(idp, cid, "lee")["AuthenticationResult"]
    with pytest.raises(ClientError) as e:
        idp.initiate_auth(ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": fresh["RefreshToken"],
                                          "DEVICE_KEY": fresh["NewDeviceMetadata"]["DeviceKey"]})
    assert error_of(e) == ("NotAuthorizedException", "Invalid Refresh Token")
    # Global sign-out revokes the tokens but keeps the device.
    idp.admin_user_global_sign_out(UserPoolId=pool_id, Username="lee")
    assert [d["DeviceKey"] for d in
            idp.admin_list_devices(UserPoolId=pool_id, Username="lee")["Devices"]] == [device.key]


def test_list_devices_pagination(idp, idp_raw):
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "max")
    keys = []
    token = None
    for _ in range(3):
        device, r = remember(idp, cid, "max")
        keys.append(device.key)
        token = r["AccessToken"]
    seen = []
    page = idp.list_devices(AccessToken=token, Limit=2)
    seen += [d["DeviceKey"] for d in page["Devices"]]
    assert len(page["Devices"]) == 2 and page["PaginationToken"]
    page = idp.list_devices(AccessToken=token, Limit=2, PaginationToken=page["PaginationToken"])
    seen += [d["DeviceKey"] for d in page["Devices"]]
    assert "PaginationToken" not in page
    assert sorted(seen) == sorted(keys)
    admin = idp.admin_list_devices(UserPoolId=pool_id, Username="max", Limit=1)
    assert len(admin["Devices"]) == 1 and admin["PaginationToken"]
    with pytest.raises(ClientError) as e:
        idp.list_devices(AccessToken=token, Limit=1, PaginationToken=admin["PaginationToken"] + "x")
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp_raw.list_devices(AccessToken=token, Limit=61)
    assert error_of(e)[0] == "InvalidParameterException"


def test_client_secret_device_challenge(idp):
    pool_id = idp.create_user_pool(PoolName=unique("devs"),
                                   DeviceConfiguration=ALWAYS)["UserPool"]["Id"]
    c = make_client(idp, pool_id, ALL_FLOWS, GenerateSecret=True)
    cid, secret = c["ClientId"], c["ClientSecret"]
    make_user(idp, pool_id, "ned")
    sh = secret_hash(secret, "ned", cid)
    r = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                          AuthParameters={"USERNAME": "ned", "PASSWORD": PASSWORD,
                                          "SECRET_HASH": sh})["AuthenticationResult"]
    device = Device(r["NewDeviceMetadata"])
    idp.confirm_device(AccessToken=r["AccessToken"], DeviceKey=device.key,
                       DeviceSecretVerifierConfig=device.config)
    step = idp.initiate_auth(ClientId=cid, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": "ned", "PASSWORD": PASSWORD,
                                             "SECRET_HASH": sh, "DEVICE_KEY": device.key})
    srp = device.srp()
    with pytest.raises(ClientError) as e:
        idp.respond_to_auth_challenge(
            ClientId=cid, ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
            ChallengeResponses={"USERNAME": "ned", "DEVICE_KEY": device.key, "SRP_A": srp.srp_a})
    assert error_of(e)[0] == "NotAuthorizedException"
    mid = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="DEVICE_SRP_AUTH", Session=step["Session"],
        ChallengeResponses={"USERNAME": "ned", "DEVICE_KEY": device.key, "SRP_A": srp.srp_a,
                            "SECRET_HASH": sh})
    answer = device.claim(srp, mid["ChallengeParameters"])
    answer["SECRET_HASH"] = sh
    done = idp.respond_to_auth_challenge(ClientId=cid, ChallengeName="DEVICE_PASSWORD_VERIFIER",
                                         Session=mid["Session"], ChallengeResponses=answer)
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------------------------------
# A remembered device and MFA.


def totp(secret_b32: str, step_offset: int = 0) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits) from first principles."""
    import hashlib
    import hmac
    import struct
    import time as _time

    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8), casefold=True)
    counter = int(_time.time()) // 30 + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.mark.parametrize("challenge_required", [True, False])
def test_remembered_device_and_mfa(idp, challenge_required):
    config = {"ChallengeRequiredOnNewDevice": challenge_required,
              "DeviceOnlyRememberedOnUserPrompt": False}
    pool_id, cid = new_pool(idp, config)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    make_user(idp, pool_id, "mia")
    token = sign_in(idp, cid, "mia")["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=token)["SecretCode"]
    assert idp.verify_software_token(AccessToken=token, UserCode=totp(secret),
                                     FriendlyDeviceName="app")["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=token,
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    # A new device still answers MFA, then is remembered.
    step = sign_in(idp, cid, "mia")
    assert step["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    done = idp.respond_to_auth_challenge(
        ClientId=cid, ChallengeName="SOFTWARE_TOKEN_MFA", Session=step["Session"],
        ChallengeResponses={"USERNAME": "mia", "SOFTWARE_TOKEN_MFA_CODE": totp(secret, 1)})
    result = done["AuthenticationResult"]
    device = Device(result["NewDeviceMetadata"])
    idp.confirm_device(AccessToken=result["AccessToken"], DeviceKey=device.key,
                       DeviceSecretVerifierConfig=device.config)

    # The remembered device proves itself; MFA is skipped only when the pool says so.
    step = sign_in(idp, cid, "mia", device_key=device.key)
    assert step["ChallengeName"] == "DEVICE_SRP_AUTH"
    after = device_challenge(idp, cid, "mia", device, step["Session"])
    if challenge_required:
        assert jwt_claims(after["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    else:
        assert after["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_concurrent_confirm_device_keeps_every_device(server):
    """ConfirmDevice for one user from eight devices at once, over HTTP: every device is kept,
    with its own name. Each call rewrites the user's record; whether two calls race on it here
    depends on scheduling, so the retry after a lost race is shown by MutateUserTest (unit)."""
    idp = server.client()
    pool_id, cid = new_pool(idp)
    make_user(idp, pool_id, "nina")
    signed_in = [sign_in(idp, cid, "nina")["AuthenticationResult"] for _ in range(8)]
    devices = [Device(r["NewDeviceMetadata"]) for r in signed_in]

    def confirm(i):
        own = server.client()  # one client per thread
        return own.confirm_device(AccessToken=signed_in[i]["AccessToken"],
                                  DeviceKey=devices[i].key,
                                  DeviceSecretVerifierConfig=devices[i].config,
                                  DeviceName=f"device-{i}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(confirm, range(8)))
    assert all(a["UserConfirmationNecessary"] is False for a in answers)
    listed = idp.admin_list_devices(UserPoolId=pool_id, Username="nina", Limit=60)["Devices"]
    assert sorted(d["DeviceKey"] for d in listed) == sorted(d.key for d in devices)
    names = {d["DeviceKey"]: attributes(d)["device_name"] for d in listed}
    assert names == {d.key: f"device-{i}" for i, d in enumerate(devices)}
    # Each remembered device still proves itself.
    for d in (devices[0], devices[-1]):
        r = sign_in(idp, cid, "nina", device_key=d.key)
        assert r["ChallengeName"] == "DEVICE_SRP_AUTH"
