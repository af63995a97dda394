"""Tokens end to end: the pools' JWKS and OpenID discovery documents over HTTP, the token-revoking
operations and their errors, forged access tokens refused at the door, and the `cognate keys`
command against a real data directory."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import subprocess
import time
import uuid

import jwt
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import harness

PASSWORD = "Corr3ct-horse!"


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def get_json(server, path):
    resp = server.raw("GET", path)
    return resp, (json.loads(resp.body) if resp.status == 200 else None)


def jwks_of(server, pool_id):
    resp, doc = get_json(server, f"/{pool_id}/.well-known/jwks.json")
    assert resp.status == 200, resp.body
    return doc


def forged_claims(server, pool_id, client_id="x" * 26):
    now = int(time.time())
    return {
        "sub": str(uuid.uuid4()), "iss": f"{server.endpoint}/{pool_id}", "client_id": client_id,
        "origin_jti": str(uuid.uuid4()), "event_id": str(uuid.uuid4()), "token_use": "access",
        "scope": "aws.cognito.signin.user.admin", "auth_time": now, "exp": now + 3600,
        "iat": now, "jti": str(uuid.uuid4()), "username": "mallory",
    }


def public_pem_of(jwk: dict) -> bytes:
    key = jwt.PyJWK.from_dict(jwk).key
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- JWKS and discovery ---------------------------------------------------------------------


def test_jwks_document(server, plain_pool):
    pid = plain_pool["Id"]
    resp = server.raw("GET", f"/{pid}/.well-known/jwks.json")
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("application/json")
    assert "max-age" in resp.headers.get("cache-control", "")
    doc = json.loads(resp.body)
    assert list(doc) == ["keys"] and len(doc["keys"]) == 1
    key = doc["keys"][0]
    assert sorted(key) == ["alg", "e", "kid", "kty", "n", "use"]
    assert key["alg"] == "RS256" and key["kty"] == "RSA" and key["use"] == "sig"
    assert key["e"] == "AQAB"
    assert len(base64.urlsafe_b64decode(key["n"] + "==")) == 256  # RSA-2048
    # A real JWK set (PyJWT parses it) and stable across fetches.
    assert len(jwt.PyJWKSet.from_dict(doc).keys) == 1
    assert jwks_of(server, pid) == doc


def test_each_pool_has_its_own_keys(server, idp):
    a = idp.create_user_pool(PoolName=harness.unique("a"))["UserPool"]["Id"]
    b = idp.create_user_pool(PoolName=harness.unique("b"))["UserPool"]["Id"]
    assert jwks_of(server, a)["keys"][0]["kid"] != jwks_of(server, b)["keys"][0]["kid"]


def test_openid_configuration(server, plain_pool):
    pid = plain_pool["Id"]
    resp, doc = get_json(server, f"/{pid}/.well-known/openid-configuration")
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("application/json")
    issuer = f"{server.endpoint}/{pid}"
    assert doc["issuer"] == issuer
    assert doc["jwks_uri"] == f"{issuer}/.well-known/jwks.json"
    assert doc["authorization_endpoint"] == f"{server.endpoint}/oauth2/authorize"
    assert doc["token_endpoint"] == f"{server.endpoint}/oauth2/token"
    assert doc["userinfo_endpoint"] == f"{server.endpoint}/oauth2/userInfo"
    assert doc["end_session_endpoint"] == f"{server.endpoint}/logout"
    assert doc["revocation_endpoint"] == f"{server.endpoint}/oauth2/revoke"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["response_types_supported"] == ["code", "token"]
    assert set(doc["scopes_supported"]) == {"openid", "email", "phone", "profile"}
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post"}
    # The jwks_uri it names answers.
    path = doc["jwks_uri"][len(server.endpoint):]
    assert server.raw("GET", path).status == 200


@pytest.mark.parametrize("suffix", ["jwks.json", "openid-configuration"])
def test_unknown_pool_is_404(server, suffix):
    resp = server.raw("GET", f"/us-east-1_NoSuchPool/.well-known/{suffix}")
    assert resp.status == 404
    assert resp.error_type() == "ResourceNotFoundException"
    assert resp.json()["message"] == "User pool us-east-1_NoSuchPool does not exist."


def test_well_known_other_methods_and_paths(server, plain_pool):
    pid = plain_pool["Id"]
    assert server.raw("POST", f"/{pid}/.well-known/jwks.json").status == 404
    assert server.raw("DELETE", f"/{pid}/.well-known/openid-configuration").status == 404
    assert server.raw("GET", f"/a/{pid}/.well-known/jwks.json").status == 404
    assert server.raw("GET", "/.well-known/jwks.json").status == 404
    assert server.raw("GET", f"/{pid}/.well-known/jwks.json?x=1").status == 200


# ---- AdminUserGlobalSignOut, GlobalSignOut, RevokeToken errors --------------------------------


def test_admin_user_global_sign_out(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.admin_create_user(UserPoolId=pid, Username="gso", MessageAction="SUPPRESS")
    assert "ResponseMetadata" in idp.admin_user_global_sign_out(UserPoolId=pid, Username="gso")
    with pytest.raises(ClientError) as e:
        idp.admin_user_global_sign_out(UserPoolId=pid, Username="nobody")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_user_global_sign_out(UserPoolId="us-east-1_NoSuchPool", Username="gso")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool us-east-1_NoSuchPool does not exist.")


def test_global_sign_out_refuses_garbage_and_forgeries(server, idp, plain_pool):
    pid = plain_pool["Id"]
    kid = jwks_of(server, pid)["keys"][0]["kid"]
    jwk = jwks_of(server, pid)["keys"][0]
    claims = forged_claims(server, pid)
    body = b64url(json.dumps(claims).encode())

    forged = []
    # alg none
    forged.append(b64url(json.dumps({"kid": kid, "alg": "none"}).encode()) + "." + body + ".")
    # HS256 keyed with the public key (PEM and JWK forms)
    for secret in (public_pem_of(jwk), json.dumps(jwk).encode()):
        head = b64url(json.dumps({"kid": kid, "alg": "HS256"}).encode())
        sig = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
        forged.append(f"{head}.{body}.{b64url(sig)}")
    # RS256 by a stranger's key, once under our kid and once under its own
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged.append(jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": kid}))
    forged.append(jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "unknown"}))
    # garbage
    forged += ["garbage", "a.b.c", "eyJ.eyJ.x"]

    for token in forged:
        with pytest.raises(ClientError) as e:
            idp.global_sign_out(AccessToken=token)
        assert error_of(e) == ("NotAuthorizedException", "Invalid Access Token"), token


def make_client(idp, pid, **kwargs):
    return idp.create_user_pool_client(
        UserPoolId=pid, ClientName=harness.unique("app"),
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH",
                           "ALLOW_REFRESH_TOKEN_AUTH"], **kwargs)["UserPoolClient"]


def test_revoke_token_errors(idp, plain_pool):
    pid = plain_pool["Id"]
    public = make_client(idp, pid)
    secret = make_client(idp, pid, GenerateSecret=True)
    off = make_client(idp, pid, EnableTokenRevocation=False)

    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token="abc", ClientId="nosuchclient0000000000000")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool client nosuchclient0000000000000 does not exist.")
    for given in ({}, {"ClientSecret": "wrongwrongwrongwrongwrongwrong"}):
        with pytest.raises(ClientError) as e:
            idp.revoke_token(Token="abc", ClientId=secret["ClientId"], **given)
        assert error_of(e) == ("UnauthorizedException",
                               f"Unable to verify secret hash for client {secret['ClientId']}")
    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token="abc", ClientId=off["ClientId"])
    assert error_of(e) == ("UnsupportedOperationException",
                           "Token revocation is not enabled for this app client.")
    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token="notarefreshtoken", ClientId=public["ClientId"])
    assert error_of(e) == ("UnauthorizedException", "Invalid Refresh Token")
    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln",
                         ClientId=public["ClientId"])
    assert error_of(e) == ("UnsupportedTokenTypeException", "Unsupported token type")
    # The right secret passes the client checks (and then judges the token).
    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token="notarefreshtoken", ClientId=secret["ClientId"],
                         ClientSecret=secret["ClientSecret"])
    assert error_of(e) == ("UnauthorizedException", "Invalid Refresh Token")


# ---- with real tokens (needs AdminInitiateAuth from the auth family) ---------------------------


def sign_in(idp, pid, client_id, username):
    idp.admin_create_user(UserPoolId=pid, Username=username, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pid, Username=username, Password=PASSWORD,
                                Permanent=True)
    try:
        return idp.admin_initiate_auth(
            UserPoolId=pid, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})["AuthenticationResult"]
    except ClientError as e:
        if error_of(e)[0] == "UnsupportedOperationException":
            pytest.skip("AdminInitiateAuth is not implemented on this build")
        raise


def test_tokens_verify_against_jwks_and_sign_out_revokes(server, idp, plain_pool):
    pid = plain_pool["Id"]
    client = make_client(idp, pid)
    cid = client["ClientId"]
    auth = sign_in(idp, pid, cid, "carol")
    issuer = f"{server.endpoint}/{pid}"
    jwks = jwt.PyJWKSet.from_dict(jwks_of(server, pid))
    kid = jwt.get_unverified_header(auth["AccessToken"])["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid).key

    idc = jwt.decode(auth["IdToken"], key, algorithms=["RS256"], audience=cid, issuer=issuer)
    assert idc["token_use"] == "id" and idc["cognito:username"] == "carol"
    assert idc["email"] == "carol@example.com" and idc["email_verified"] is True
    ac = jwt.decode(auth["AccessToken"], key, algorithms=["RS256"], issuer=issuer,
                    options={"verify_aud": False})
    assert ac["token_use"] == "access" and ac["client_id"] == cid
    assert ac["scope"] == "aws.cognito.signin.user.admin" and ac["username"] == "carol"
    assert ac["origin_jti"] == idc["origin_jti"]
    assert auth["ExpiresIn"] == 3600 and auth["TokenType"] == "Bearer"

    idp.global_sign_out(AccessToken=auth["AccessToken"])
    with pytest.raises(ClientError) as e:
        idp.global_sign_out(AccessToken=auth["AccessToken"])
    assert error_of(e) == ("NotAuthorizedException", "Access Token has been revoked")
    with pytest.raises(ClientError) as e:
        idp.admin_initiate_auth(UserPoolId=pid, ClientId=cid, AuthFlow="REFRESH_TOKEN_AUTH",
                                AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})
    assert error_of(e)[0] == "NotAuthorizedException"


def test_revoke_token_revokes_its_family(idp, plain_pool):
    pid = plain_pool["Id"]
    cid = make_client(idp, pid)["ClientId"]
    other_cid = make_client(idp, pid)["ClientId"]
    auth = sign_in(idp, pid, cid, "dave")
    with pytest.raises(ClientError) as e:
        idp.revoke_token(Token=auth["RefreshToken"], ClientId=other_cid)
    assert error_of(e) == ("UnauthorizedException", "Invalid Refresh Token")
    idp.revoke_token(Token=auth["RefreshToken"], ClientId=cid)
    idp.revoke_token(Token=auth["RefreshToken"], ClientId=cid)  # twice is fine
    with pytest.raises(ClientError) as e:
        idp.global_sign_out(AccessToken=auth["AccessToken"])
    assert error_of(e) == ("NotAuthorizedException", "Access Token has been revoked")


def test_admin_user_global_sign_out_revokes_access_tokens(idp, plain_pool):
    pid = plain_pool["Id"]
    cid = make_client(idp, pid)["ClientId"]
    auth = sign_in(idp, pid, cid, "erin")
    idp.admin_user_global_sign_out(UserPoolId=pid, Username="erin")
    with pytest.raises(ClientError) as e:
        idp.global_sign_out(AccessToken=auth["AccessToken"])
    assert error_of(e) == ("NotAuthorizedException", "Access Token has been revoked")


# ---- cognate keys ---------------------------------------------------------------------------


def keys_cmd(srv, *args):
    cmd = [str(harness.binary_path()), "keys", *args, "--data-dir", str(srv.data_dir)]
    if srv.database:
        cmd += ["--database", srv.database]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_keys_command_rotates_lists_and_deletes(make_server):
    srv = make_server()
    idp = srv.client()
    pid = idp.create_user_pool(PoolName=harness.unique("keys"))["UserPool"]["Id"]
    first = jwks_of(srv, pid)["keys"][0]["kid"]
    srv.stop()

    listed = keys_cmd(srv, "list", "--pool", pid)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(first + "\tsigning\t")

    rotated = keys_cmd(srv, "rotate", "--pool", pid)
    assert rotated.returncode == 0, rotated.stderr
    new_kid = rotated.stdout.strip()
    assert new_kid and new_kid != first

    listed = keys_cmd(srv, "list", "--pool", pid).stdout.strip().splitlines()
    assert [line.split("\t")[:2] for line in listed] == [[new_kid, "signing"], [first, "retired"]]

    srv.start()
    kids = [k["kid"] for k in jwks_of(srv, pid)["keys"]]
    assert kids == [new_kid, first], "the retired key stays published until deleted"
    srv.stop()

    kept = keys_cmd(srv, "delete-retired", "--pool", pid, "--older-than", "3600")
    assert kept.returncode == 0 and "deleted 0" in kept.stdout
    gone = keys_cmd(srv, "delete-retired", "--pool", pid, "--older-than", "0")
    assert gone.returncode == 0 and "deleted 1" in gone.stdout, gone.stdout + gone.stderr
    srv.start()
    assert [k["kid"] for k in jwks_of(srv, pid)["keys"]] == [new_kid]


def test_keys_command_errors(make_server):
    srv = make_server()
    srv.stop()
    missing = keys_cmd(srv, "rotate", "--pool", "us-east-1_NoSuchPool")
    assert missing.returncode == 1
    assert "User pool us-east-1_NoSuchPool does not exist." in missing.stderr
    usage = keys_cmd(srv, "rotate")
    assert usage.returncode == 2 and "--pool is required" in usage.stderr
    bad = keys_cmd(srv, "spin", "--pool", "x")
    assert bad.returncode == 2 and "unknown keys command" in bad.stderr
    no_age = keys_cmd(srv, "delete-retired", "--pool", "x")
    assert no_age.returncode == 2 and "--older-than" in no_age.stderr
    helped = subprocess.run([str(harness.binary_path()), "keys", "--help"], capture_output=True,
                            text=True, timeout=30)
    assert helped.returncode == 0 and "rotate" in helped.stdout
