"""OAuth 2.0 endpoints end to end over raw HTTP: /oauth2/authorize validation and redirects,
/oauth2/token (client_credentials, authorization_code with PKCE, refresh_token), /oauth2/userInfo,
/oauth2/revoke and /logout, and the attacks they must refuse (redirect URIs that differ by a
path, a query or a trailing slash; a code reused, used by another client or with the wrong
verifier; scope escalation on refresh; client authentication failures).

The code-flow tests sign in through the hosted login page (tests/e2e/hosted.py); they are
skipped when that helper is not there."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import urllib.parse

import pytest

import harness

try:
    import hosted  # noqa: F401  (the hosted pages' helper)
except ImportError:  # pragma: no cover
    hosted = None

CALLBACK = "https://app.example.com/cb"
LOCAL_CALLBACK = "http://localhost:3000/cb"
LOGOUT = "https://app.example.com/bye"
RS = "https://api.example.com"
PASSWORD = "Passw0rd!correct-horse"

needs_login = pytest.mark.skipif(hosted is None, reason="tests/e2e/hosted.py not available")


def b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(
        b"=").decode()
    return verifier, challenge


class OAuthApp:
    """A pool with a resource server, a public web client, a second web client, a confidential
    web client and an M2M client, plus one confirmed user."""

    def __init__(self, server, idp):
        self.server = server
        self.pool_id = idp.create_user_pool(PoolName=harness.unique("oauth"))["UserPool"]["Id"]
        idp.create_resource_server(UserPoolId=self.pool_id, Identifier=RS, Name="API",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                           {"ScopeName": "write", "ScopeDescription": "w"}])
        web = dict(AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code", "implicit"],
                   AllowedOAuthScopes=["openid", "email", "profile", f"{RS}/read"],
                   CallbackURLs=[CALLBACK, LOCAL_CALLBACK], LogoutURLs=[LOGOUT],
                   SupportedIdentityProviders=["COGNITO"],
                   ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
        self.web = idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="web",
                                               **web)["UserPoolClient"]["ClientId"]
        self.web2 = idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="web2",
                                                **web)["UserPoolClient"]["ClientId"]
        conf = idp.create_user_pool_client(UserPoolId=self.pool_id, ClientName="conf",
                                           GenerateSecret=True, **web)["UserPoolClient"]
        self.conf, self.conf_secret = conf["ClientId"], conf["ClientSecret"]
        m2m = idp.create_user_pool_client(
            UserPoolId=self.pool_id, ClientName="m2m", GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=[f"{RS}/read", f"{RS}/write"])["UserPoolClient"]
        self.m2m, self.m2m_secret = m2m["ClientId"], m2m["ClientSecret"]
        self.username = "alice"
        idp.admin_create_user(UserPoolId=self.pool_id, Username=self.username,
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                              {"Name": "email_verified", "Value": "true"}],
                              MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=self.pool_id, Username=self.username,
                                    Password=PASSWORD, Permanent=True)

    # -- raw HTTP --------------------------------------------------------------------------

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        return self.server.raw("GET", path + query, headers=headers or {})

    def post_form(self, path: str, form: dict, headers: dict | None = None):
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.server.raw("POST", path, body=urllib.parse.urlencode(form).encode(), headers=h)

    def token(self, form: dict, basic: tuple[str, str] | None = None):
        headers = {"Authorization": "Basic " + b64(f"{basic[0]}:{basic[1]}")} if basic else {}
        return self.post_form("/oauth2/token", form, headers)

    def authorize_params(self, **extra) -> dict:
        params = {"client_id": self.web, "response_type": "code", "redirect_uri": CALLBACK,
                  "scope": "openid email", "state": "st-123"}
        params.update(extra)
        return params

    # -- the code flow ---------------------------------------------------------------------

    def code(self, client: str | None = None, challenge: str | None = None, **extra) -> str:
        params = self.authorize_params(client_id=client or self.web, **extra)
        if challenge:
            params.update(code_challenge=challenge, code_challenge_method="S256")
        location, _jar = hosted.hosted_login(self.server.endpoint, params, self.username,
                                             PASSWORD)
        parsed = urllib.parse.urlsplit(location)
        assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == params["redirect_uri"], location
        query = urllib.parse.parse_qs(parsed.query)
        assert query["state"] == [params["state"]]
        return query["code"][0]

    def exchange(self, code: str, verifier: str | None = None, client: str | None = None,
                 redirect_uri: str = CALLBACK):
        form = {"grant_type": "authorization_code", "client_id": client or self.web,
                "code": code, "redirect_uri": redirect_uri}
        if verifier:
            form["code_verifier"] = verifier
        return self.token(form)


@pytest.fixture(scope="module")
def app(server, idp):
    return OAuthApp(server, idp)


# -- client_credentials ---------------------------------------------------------------------

def test_client_credentials_basic_and_body(app):
    r = app.token({"grant_type": "client_credentials", "scope": f"{RS}/read"},
                  basic=(app.m2m, app.m2m_secret))
    assert r.status == 200, r.body
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    c = claims(body["access_token"])
    assert c["sub"] == app.m2m and c["client_id"] == app.m2m
    assert c["scope"] == f"{RS}/read" and c["token_use"] == "access"
    assert c["iss"] == f"{app.server.endpoint}/{app.pool_id}"

    r = app.token({"grant_type": "client_credentials", "client_id": app.m2m,
                   "client_secret": app.m2m_secret})
    assert r.status == 200, r.body
    assert claims(r.json()["access_token"])["scope"] == f"{RS}/read {RS}/write"


@pytest.mark.parametrize("form,basic,status,error", [
    ({"grant_type": "client_credentials"}, ("m2m", "wrong-secret"), 401, "invalid_client"),
    ({"grant_type": "client_credentials"}, ("nobody", "x"), 401, "invalid_client"),
    ({"grant_type": "client_credentials", "client_id": "m2m"}, None, 401, "invalid_client"),
    ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
    ({"grant_type": "client_credentials", "scope": "https://api.example.com/admin"}, "m2m",
     400, "invalid_scope"),
    ({"grant_type": "client_credentials", "scope": "openid"}, "m2m", 400, "invalid_scope"),
    ({"grant_type": "client_credentials"}, "web", 400, "unauthorized_client"),
    ({"grant_type": "password"}, "m2m", 400, "unsupported_grant_type"),
    ({}, "m2m", 400, "invalid_request"),
])
def test_token_endpoint_errors(app, form, basic, status, error):
    form = {k: (app.m2m if v == "m2m" else v) for k, v in form.items()}
    if basic == "m2m":
        basic = (app.m2m, app.m2m_secret)
    elif basic == "web":
        basic = None
        form["client_id"] = app.web
    elif basic is not None and basic[0] == "m2m":
        basic = (app.m2m, basic[1])
    r = app.token(form, basic)
    assert (r.status, r.json()["error"]) == (status, error), r.body
    if status == 401:
        assert "www-authenticate" in r.headers


def test_token_endpoint_wants_a_form_post(app):
    r = app.server.raw("GET", "/oauth2/token?grant_type=client_credentials")
    assert r.status == 405
    r = app.server.raw("POST", "/oauth2/token",
                       body=json.dumps({"grant_type": "client_credentials"}).encode(),
                       headers={"Content-Type": "application/json",
                                "Authorization": "Basic " + b64(f"{app.m2m}:{app.m2m_secret}")})
    assert (r.status, r.json()["error"]) == (400, "invalid_request")
    r = app.server.raw("POST", "/oauth2/token", body=b"grant_type=%zz",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 400


# -- /oauth2/authorize ----------------------------------------------------------------------

@pytest.mark.parametrize("uri", [
    CALLBACK + "/",                       # trailing slash
    CALLBACK + "?next=/admin",            # a query
    "https://app.example.com/cb/evil",    # a longer path
    "https://app.example.com/",           # a shorter path
    "https://app.example.com.evil.example/cb",
    "http://app.example.com/cb",
])
def test_authorize_refuses_redirect_uri_not_registered(app, uri):
    r = app.get("/oauth2/authorize", app.authorize_params(redirect_uri=uri))
    assert r.status == 400
    assert "location" not in r.headers
    assert r.headers["content-type"].startswith("text/html")
    assert b"redirect_mismatch" in r.body


def test_authorize_unknown_client_is_an_error_page(app):
    r = app.get("/oauth2/authorize", app.authorize_params(client_id="nope"))
    assert r.status == 400 and "location" not in r.headers
    r = app.server.raw("GET", "/oauth2/authorize?client_id=" + app.web + "&client_id=x")
    assert r.status == 400 and "location" not in r.headers


def test_authorize_sends_the_browser_to_login(app):
    r = app.get("/oauth2/authorize", app.authorize_params(login_hint="alice", lang="fr"))
    assert r.status == 302, r.body
    loc = urllib.parse.urlsplit(r.headers["location"])
    assert loc.path == "/login"
    q = dict(urllib.parse.parse_qsl(loc.query))
    assert q["client_id"] == app.web and q["redirect_uri"] == CALLBACK
    assert q["response_type"] == "code" and q["state"] == "st-123"
    assert q["scope"] == "openid email" and q["login_hint"] == "alice" and q["lang"] == "fr"


@pytest.mark.parametrize("extra,error", [
    ({"response_type": "id_token"}, "unsupported_response_type"),
    ({"response_type": ""}, "invalid_request"),
    ({"scope": "openid phone"}, "invalid_scope"),
    ({"scope": "openid https://api.example.com/write"}, "invalid_scope"),
    ({"code_challenge": "abc", "code_challenge_method": "S256"}, "invalid_request"),
    ({"code_challenge": "a" * 43, "code_challenge_method": "S384"}, "invalid_request"),
    ({"identity_provider": "Google"}, "invalid_request"),
    ({"prompt": "none"}, "login_required"),
])
def test_authorize_errors_go_back_to_the_client(app, extra, error):
    r = app.get("/oauth2/authorize", app.authorize_params(**extra))
    assert r.status == 302, r.body
    loc = urllib.parse.urlsplit(r.headers["location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == CALLBACK
    q = dict(urllib.parse.parse_qsl(loc.query))
    assert q["error"] == error and q["state"] == "st-123"


def test_authorize_wrong_method(app):
    r = app.post_form("/oauth2/authorize", app.authorize_params())
    assert r.status == 405


# -- discovery ------------------------------------------------------------------------------

def test_discovery_document(app):
    r = app.get(f"/{app.pool_id}/.well-known/openid-configuration")
    assert r.status == 200
    d = r.json()
    base = app.server.endpoint
    assert d["authorization_endpoint"] == f"{base}/oauth2/authorize"
    assert d["token_endpoint"] == f"{base}/oauth2/token"
    assert d["userinfo_endpoint"] == f"{base}/oauth2/userInfo"
    assert d["revocation_endpoint"] == f"{base}/oauth2/revoke"
    assert set(d["code_challenge_methods_supported"]) == {"S256", "plain"}
    assert set(d["response_types_supported"]) == {"code", "token"}
    assert {"openid", "email", "phone", "profile"} <= set(d["scopes_supported"])


# -- /oauth2/userInfo and /logout without a code --------------------------------------------

def test_userinfo_needs_a_valid_bearer(app):
    r = app.get("/oauth2/userInfo")
    assert r.status == 401 and r.json()["error"] == "invalid_token"
    r = app.get("/oauth2/userInfo", headers={"Authorization": "Bearer not-a-token"})
    assert r.status == 401 and "www-authenticate" in r.headers
    # A machine token has no user.
    m2m = app.token({"grant_type": "client_credentials"}, basic=(app.m2m, app.m2m_secret))
    r = app.get("/oauth2/userInfo",
                headers={"Authorization": "Bearer " + m2m.json()["access_token"]})
    assert r.status == 401


def test_userinfo_accepts_api_sign_in_tokens(app, idp):
    auth = idp.admin_initiate_auth(UserPoolId=app.pool_id, ClientId=app.web2,
                                   AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": app.username,
                                                   "PASSWORD": PASSWORD})
    access = auth["AuthenticationResult"]["AccessToken"]
    r = app.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"})
    assert r.status == 200, r.body
    info = r.json()
    assert info["username"] == app.username and info["email"] == "alice@example.com"
    r = app.server.raw("POST", "/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"})
    assert r.status == 200

    # /oauth2/token refreshes an API sign-in's refresh token too; revoke ends it.
    refresh = auth["AuthenticationResult"]["RefreshToken"]
    r = app.token({"grant_type": "refresh_token", "client_id": app.web2,
                   "refresh_token": refresh})
    assert r.status == 200, r.body
    assert "id_token" in r.json()
    r = app.post_form("/oauth2/revoke", {"token": refresh, "client_id": app.web})
    assert r.status == 400  # another client's token
    r = app.post_form("/oauth2/revoke", {"token": refresh, "client_id": app.web2})
    assert r.status == 200, r.body
    r = app.token({"grant_type": "refresh_token", "client_id": app.web2,
                   "refresh_token": refresh})
    assert (r.status, r.json()["error"]) == (400, "invalid_grant")
    r = app.get("/oauth2/userInfo", headers={"Authorization": f"Bearer {access}"})
    assert r.status == 401


def test_logout(app):
    r = app.get("/logout", {"client_id": app.web, "logout_uri": LOGOUT})
    assert r.status == 302 and r.headers["location"] == LOGOUT
    assert "cognito=;" in r.headers["set-cookie"] or "cognito=" in r.headers["set-cookie"]
    for bad in (LOGOUT + "/", LOGOUT + "?x=1", "https://evil.example.com/"):
        r = app.get("/logout", {"client_id": app.web, "logout_uri": bad})
        assert r.status == 400 and "location" not in r.headers, bad
    r = app.get("/logout", {"client_id": app.web, "redirect_uri": CALLBACK,
                            "response_type": "code", "state": "s1"})
    assert r.status == 302
    loc = urllib.parse.urlsplit(r.headers["location"])
    assert loc.path == "/login"
    assert dict(urllib.parse.parse_qsl(loc.query))["state"] == "s1"
    r = app.get("/logout", {"client_id": app.web, "redirect_uri": CALLBACK + "/",
                            "response_type": "code"})
    assert r.status == 400 and "location" not in r.headers


# -- the code flow (needs the hosted login page) --------------------------------------------

@needs_login
def test_code_flow_with_pkce_userinfo_refresh_revoke(app):
    verifier, challenge = pkce()
    code = app.code(challenge=challenge, nonce="n-42")
    r = app.exchange(code, verifier)
    assert r.status == 200, r.body
    body = r.json()
    assert set(body) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    idc = claims(body["id_token"])
    assert idc["nonce"] == "n-42" and idc["aud"] == app.web and "at_hash" in idc
    assert idc["cognito:username"] == app.username
    assert claims(body["access_token"])["scope"] == "openid email"

    r = app.get("/oauth2/userInfo", headers={"Authorization": "Bearer " + body["access_token"]})
    assert r.status == 200, r.body
    assert r.json()["email"] == "alice@example.com"

    refresh = body["refresh_token"]
    r = app.token({"grant_type": "refresh_token", "client_id": app.web, "refresh_token": refresh})
    assert r.status == 200, r.body
    assert claims(r.json()["access_token"])["scope"] == "openid email"
    # Scope escalation on refresh.
    r = app.token({"grant_type": "refresh_token", "client_id": app.web, "refresh_token": refresh,
                   "scope": "openid email profile"})
    assert (r.status, r.json()["error"]) == (400, "invalid_scope")
    # Another client.
    r = app.token({"grant_type": "refresh_token", "client_id": app.web2, "refresh_token": refresh})
    assert (r.status, r.json()["error"]) == (400, "invalid_grant")

    r = app.post_form("/oauth2/revoke", {"token": refresh, "client_id": app.web})
    assert r.status == 200
    r = app.token({"grant_type": "refresh_token", "client_id": app.web, "refresh_token": refresh})
    assert (r.status, r.json()["error"]) == (400, "invalid_grant")


@needs_login
def test_code_used_twice_revokes_the_first_tokens(app):
    verifier, challenge = pkce()
    code = app.code(challenge=challenge)
    first = app.exchange(code, verifier)
    assert first.status == 200
    again = app.exchange(code, verifier)
    assert (again.status, again.json()["error"]) == (400, "invalid_grant")
    r = app.get("/oauth2/userInfo",
                headers={"Authorization": "Bearer " + first.json()["access_token"]})
    assert r.status == 401


@needs_login
def test_code_bound_to_client_redirect_and_verifier(app):
    verifier, challenge = pkce()
    unknown = app.exchange("no-such-code", verifier)
    # Another client of the same pool, with the same callback URL.
    other = app.exchange(app.code(challenge=challenge), verifier, client=app.web2)
    assert (other.status, other.json()) == (unknown.status, unknown.json())
    assert other.json()["error"] == "invalid_grant"
    # The wrong verifier, no verifier, another redirect URI.
    r = app.exchange(app.code(challenge=challenge), pkce()[0])
    assert r.json()["error"] == "invalid_grant"
    r = app.exchange(app.code(challenge=challenge), None)
    assert r.json()["error"] == "invalid_grant"
    r = app.exchange(app.code(challenge=challenge), verifier, redirect_uri=LOCAL_CALLBACK)
    assert r.json()["error"] == "invalid_grant"


@needs_login
def test_confidential_client_needs_its_secret(app):
    verifier, challenge = pkce()
    code = app.code(client=app.conf, challenge=challenge)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": verifier}
    r = app.token(dict(form, client_id=app.conf))
    assert (r.status, r.json()["error"]) == (401, "invalid_client")
    r = app.token(form, basic=(app.conf, app.conf_secret))
    assert r.status == 200, r.body


@needs_login
def test_session_lets_the_user_through_and_logout_ends_it(app):
    params = app.authorize_params()
    location, jar = hosted.hosted_login(app.server.endpoint, params, app.username, PASSWORD)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "cognito")
    assert cookie
    r = app.get("/oauth2/authorize", params, headers={"Cookie": cookie})
    assert r.status == 302 and r.headers["location"].startswith(CALLBACK + "?code="), r.headers
    # prompt=login forces the login page even with a session.
    r = app.get("/oauth2/authorize", dict(params, prompt="login"), headers={"Cookie": cookie})
    assert urllib.parse.urlsplit(r.headers["location"]).path == "/login"
    r = app.get("/logout", {"client_id": app.web, "logout_uri": LOGOUT},
                headers={"Cookie": cookie})
    assert r.status == 302
    r = app.get("/oauth2/authorize", params, headers={"Cookie": cookie})
    assert urllib.parse.urlsplit(r.headers["location"]).path == "/login"
    r = app.get("/oauth2/authorize", dict(params, prompt="none"), headers={"Cookie": cookie})
    assert "error=login_required" in r.headers["location"]


@needs_login
def test_implicit_flow(app):
    location, _ = hosted.hosted_login(app.server.endpoint,
                                      app.authorize_params(response_type="token", nonce="n1"),
                                      app.username, PASSWORD)
    assert location.startswith(CALLBACK + "#")
    frag = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).fragment))
    assert frag["token_type"] == "Bearer" and frag["state"] == "st-123"
    assert "refresh_token" not in frag
    assert claims(frag["id_token"])["nonce"] == "n1"


@needs_login
def test_a_client_without_cognito_offers_no_password_sign_in(app, idp):
    """SupportedIdentityProviders without COGNITO: identity_provider=COGNITO (or none) ends on the
    login page with Cognito's "Login option is not available. Please try another one", no
    password form, and a hosted session of the pool gets no code for that client."""
    web = dict(AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"],
               AllowedOAuthScopes=["openid", "email"], CallbackURLs=[CALLBACK])
    bare = idp.create_user_pool_client(UserPoolId=app.pool_id, ClientName="bare",
                                       **web)["UserPoolClient"]["ClientId"]
    params = app.authorize_params(client_id=bare, identity_provider="COGNITO")
    r = app.get("/oauth2/authorize", params)
    assert r.status == 302, r.body
    login = app.server.raw("GET", r.headers["location"])
    text = login.body.decode()
    assert login.status == 400
    assert "Login option is not available. Please try another one" in text
    assert 'name="password"' not in text and "<form" not in text
    assert app.get("/login", app.authorize_params(client_id=bare)).status == 400
    # Posting credentials anyway signs nobody in.
    b = hosted.Browser(app.server.endpoint)
    page = b.get("/login?" + urllib.parse.urlencode(app.authorize_params()))  # a CSRF cookie
    posted = b.post("/login?" + urllib.parse.urlencode(app.authorize_params(client_id=bare)),
                    {"_csrf": b.cookie("XSRF-TOKEN"), "username": app.username,
                     "password": PASSWORD})
    assert posted.status == 400 and "location" not in posted.headers and page.status == 200
    # A live hosted session (signed in through the COGNITO client) is not used for it.
    location, jar = hosted.hosted_login(app.server.endpoint, app.authorize_params(),
                                        app.username, PASSWORD)
    assert location.startswith(CALLBACK + "?code=")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "cognito")
    r = app.get("/oauth2/authorize", app.authorize_params(client_id=bare),
                headers={"Cookie": cookie})
    assert r.status == 302 and urllib.parse.urlsplit(r.headers["location"]).path == "/login"
    assert app.get("/login", app.authorize_params(client_id=bare),
                   headers={"Cookie": cookie}).status == 400


@needs_login
def test_concurrent_redemptions_of_one_code_give_tokens_once(app):
    """Two (or three) clients race to redeem the same code: exactly one gets tokens, every other
    one invalid_grant, round after round."""
    rounds = 15
    for n in range(rounds):
        racers = 2 if n % 3 else 3
        verifier, challenge = pkce()
        code = app.code(challenge=challenge)
        barrier = threading.Barrier(racers)
        answers: list = [None] * racers

        def redeem(i):
            barrier.wait()
            answers[i] = app.exchange(code, verifier)

        threads = [threading.Thread(target=redeem, args=(i,)) for i in range(racers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = sorted(a.status for a in answers)
        assert statuses == [200] + [400] * (racers - 1), (n, statuses)
        for a in answers:
            if a.status == 400:
                assert a.json()["error"] == "invalid_grant", a.body
            else:
                assert a.json()["access_token"] and a.json()["refresh_token"]


@needs_login
def test_a_redeemed_code_stays_spent_after_kill_9(make_server):
    """kill -9 right after a code redemption: after the restart the code is still spent and the
    tokens the 200 gave still refresh (then presenting the code again revokes them)."""
    s = make_server()
    app = OAuthApp(s, s.client())
    verifier, challenge = pkce()
    code = app.code(challenge=challenge)
    first = app.exchange(code, verifier)
    assert first.status == 200, first.body
    tokens = first.json()
    s.kill()
    s.start()
    refreshed = app.token({"grant_type": "refresh_token", "client_id": app.web,
                           "refresh_token": tokens["refresh_token"]})
    assert refreshed.status == 200, refreshed.body
    assert claims(refreshed.json()["access_token"])["sub"] == claims(tokens["access_token"])["sub"]
    again = app.exchange(code, verifier)
    assert (again.status, again.json()["error"]) == (400, "invalid_grant")
    r = app.token({"grant_type": "refresh_token", "client_id": app.web,
                   "refresh_token": tokens["refresh_token"]})
    assert (r.status, r.json()["error"]) == (400, "invalid_grant")
