"""The hosted sign-in pages (/login, /signup, /confirm, /forgotPassword, /confirmForgotPassword,
the challenge pages) driven over raw HTTP by tests/e2e/hosted.py: sign-in to the callback, CSRF
refusals, the security headers (CSP with the callback origin in form-action, framing refused),
no user enumeration under PreventUserExistenceErrors, languages by `lang` and Accept-Language,
hostile input, and the sign-up, confirmation, reset, new-password and TOTP setup / MFA pages;
choice-based sign-in on managed login (username, factor, password or code), /login with a live
hosted session, signed in after confirming a sign-up or resetting a password, and the steps the
pages cannot take."""

from __future__ import annotations

import html
import http.cookiejar
import re
import time
import urllib.parse

import pytest

from harness import unique
from hosted import Browser, callback_params, forms_of, hosted_login
from selfsvc_helpers import CODE_RE, outbox_messages, wait_for
from test_mfa import SMS_CONFIG, mfa_code, raw_ok, step_now, totp_at_step

PASSWORD = "Passw0rd!"
CALLBACK = "https://app.example.com/callback"


def make_app(idp, prevent="ENABLED", secret=False, **pool_args):
    args = {"PoolName": unique("hosted"), "AutoVerifiedAttributes": ["email"]}
    args.update(pool_args)
    pool_id = idp.create_user_pool(**args)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("web"), GenerateSecret=secret,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors=prevent, CallbackURLs=[CALLBACK],
        LogoutURLs=["https://app.example.com/signed-out"],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    return pool_id, client["ClientId"]


def make_user(idp, pool_id, username, email=None, temporary=False):
    attrs = [{"Name": "email", "Value": email or f"{username}@example.com"},
             {"Name": "email_verified", "Value": "true"}]
    idp.admin_create_user(UserPoolId=pool_id, Username=username, TemporaryPassword=PASSWORD,
                          UserAttributes=attrs, MessageAction="SUPPRESS")
    if not temporary:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD,
                                    Permanent=True)


def authorize_params(client_id, **extra):
    params = {"client_id": client_id, "response_type": "code", "scope": "openid email",
              "redirect_uri": CALLBACK, "state": "st-" + unique("s")}
    params.update(extra)
    return params


def login_path(client_id, **extra):
    return "/login?" + urllib.parse.urlencode(authorize_params(client_id, **extra))


def open_login(server, client_id, browser=None, **extra):
    b = browser or Browser(server.endpoint)
    page = b.get(login_path(client_id, **extra))
    if page.status == 400 and "not implemented yet" in page.body:
        pytest.skip("the authorization endpoint (oauth) has not landed in this build")
    assert page.status == 200, (page.status, page.body)
    return b, page


def error_text(page):
    m = re.search(r'role="alert"[^>]*>([^<]*)<', page.body)
    return html.unescape(m.group(1)) if m else None


def assert_callback(page, state=None):
    assert page.status == 302, (page.status, error_text(page), page.body[:300])
    loc = page.location
    assert loc.startswith(CALLBACK + "?"), loc
    params = callback_params(loc)
    assert params.get("code")
    if state is not None:
        assert params["state"] == state
    return params


@pytest.fixture
def app(idp):
    return make_app(idp)


# ---- sign-in ---------------------------------------------------------------------------------


def test_login_page_form_headers_and_cookies(server, idp, app):
    pool_id, client_id = app
    b, page = open_login(server, client_id)
    forms = forms_of(page.body)
    assert len(forms) == 1 and forms[0]["method"] == "post"
    assert forms[0]["fields"]["_csrf"] == b.cookie("XSRF-TOKEN")
    assert '<label for="username"' in page.body and '<label for="password"' in page.body
    assert 'autocomplete="current-password"' in page.body
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "form-action 'self' https://app.example.com" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    set_cookie = page.headers["set-cookie"]
    assert "XSRF-TOKEN=" in set_cookie and "HttpOnly" in set_cookie
    assert "SameSite=Lax" in set_cookie and "Secure" not in set_cookie  # plain http here
    css = b.get("/assets/hosted.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")


def test_sign_in_redirects_to_the_callback_with_a_hosted_session(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "alice")
    b, page = open_login(server, client_id, state="xyz")
    done = b.submit(page, {"username": "alice", "password": PASSWORD})
    assert_callback(done, "xyz")
    cookie = [v for k, v in done.headers.items() if k == "set-cookie"]
    assert any("cognito=" in c and "HttpOnly" in c and "SameSite=Lax" in c for c in cookie), cookie
    assert b.cookie("cognito")


def test_hosted_login_helper(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "helper")
    page = Browser(server.endpoint).get("/oauth2/authorize?" + urllib.parse.urlencode(
        authorize_params(client_id)))
    if page.status != 302:
        pytest.skip("/oauth2/authorize (oauth) has not landed in this build")
    location, jar = hosted_login(server.endpoint, authorize_params(client_id, state="s1"),
                                 "helper", PASSWORD)
    assert location and location.startswith(CALLBACK + "?")
    assert callback_params(location)["state"] == "s1"
    assert any(c.name == "cognito" for c in jar)
    # The hosted session lets the user through again without a password...
    again, _ = hosted_login(server.endpoint, authorize_params(client_id, state="s2"),
                            "helper", "not-asked", browser=Browser(server.endpoint, jar=jar))
    assert again and callback_params(again)["state"] == "s2"
    # ...unless the app asks for the password again.
    b = Browser(server.endpoint, jar=jar)
    forced = b.follow(b.get("/oauth2/authorize?" + urllib.parse.urlencode(
        authorize_params(client_id, prompt="login"))))
    assert forced.status == 200 and forms_of(forced.body)[0]["action"].startswith("/login?")


def test_login_page_with_a_live_hosted_session_goes_to_the_callback(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "hugo")
    b, page = open_login(server, client_id)
    assert_callback(b.submit(page, {"username": "hugo", "password": PASSWORD}))
    # GET /login itself (a bookmarked or app-built link) uses the session...
    again = b.get(login_path(client_id, state="again"))
    params = assert_callback(again, "again")
    assert "set-cookie" not in again.headers or "cognito=" not in again.headers["set-cookie"]
    # ...not with prompt=login, nor for another pool, nor after /logout.
    forced = b.get(login_path(client_id, prompt="login"))
    assert forced.status == 200 and 'name="password"' in forced.body
    _, other = make_app(idp)
    assert b.get(login_path(other)).status == 200
    b.get("/logout?" + urllib.parse.urlencode({"client_id": client_id,
                                               "logout_uri": "https://app.example.com/signed-out"}))
    assert b.get(login_path(client_id)).status == 200
    # A session whose user was disabled shows the form.
    b, page = open_login(server, client_id)
    assert_callback(b.submit(page, {"username": "hugo", "password": PASSWORD}))
    idp.admin_disable_user(UserPoolId=pool_id, Username="hugo")
    assert b.get(login_path(client_id)).status == 200
    assert params["code"]


def test_wrong_password_stays_on_the_page_with_an_announced_error(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "bob")
    b, page = open_login(server, client_id)
    bad = b.submit(page, {"username": "bob", "password": "wrong-Passw0rd!"})
    assert bad.status == 400
    assert error_text(bad) == "Incorrect username or password."
    assert 'aria-live="assertive"' in bad.body
    assert re.search(r'id="password"[^>]*autofocus', bad.body)  # focus on the field to fix
    assert not b.cookie("cognito")


# ---- CSRF ------------------------------------------------------------------------------------


def test_posts_without_the_csrf_token_are_refused(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "carol")
    b, page = open_login(server, client_id)
    action = forms_of(page.body)[0]["action"]
    creds = {"username": "carol", "password": PASSWORD}
    assert b.post(action, creds).status == 403  # missing
    assert b.post(action, dict(creds, _csrf="A" * 43)).status == 403  # wrong
    token = b.cookie("XSRF-TOKEN")
    stranger = Browser(server.endpoint)  # a forged cross-site post: no cookie
    assert stranger.post(action, dict(creds, _csrf=token)).status == 403
    for path in ("/signup", "/forgotPassword", "/confirm", "/confirmForgotPassword",
                 "/challenge", "/resendCode"):
        target = path + "?" + urllib.parse.urlencode(authorize_params(client_id))
        r = b.post(target, {"username": "carol"})
        assert r.status == 403, path
    # With the token it goes through.
    assert_callback(b.post(action, dict(creds, _csrf=token)))


# ---- enumeration -----------------------------------------------------------------------------


def test_no_user_enumeration_when_prevented(server, idp):
    pool_id, client_id = make_app(idp, prevent="ENABLED")
    make_user(idp, pool_id, "dave")
    b, page = open_login(server, client_id)
    wrong = b.submit(page, {"username": "dave", "password": "Wr0ng-pass!"})
    b, page = open_login(server, client_id, browser=b)
    unknown = b.submit(page, {"username": "nobody-here", "password": "Wr0ng-pass!"})
    assert wrong.status == unknown.status == 400
    assert error_text(wrong) == error_text(unknown) == "Incorrect username or password."
    # The reset page looks the same for a known and an unknown user.
    b, page = open_login(server, client_id, browser=b)
    forgot = b.get(login_path(client_id).replace("/login", "/forgotPassword"))
    known = b.submit(forgot, {"username": "dave"})
    unknown = b.submit(forgot, {"username": "nobody-here"})
    assert known.status == unknown.status == 200
    assert forms_of(known.body)[0]["action"].startswith("/confirmForgotPassword")
    assert forms_of(unknown.body)[0]["action"].startswith("/confirmForgotPassword")


def test_legacy_clients_say_the_user_does_not_exist(server, idp):
    pool_id, client_id = make_app(idp, prevent="LEGACY")
    b, page = open_login(server, client_id)
    unknown = b.submit(page, {"username": "nobody-here", "password": "Wr0ng-pass!"})
    assert error_text(unknown) == "User does not exist."


# ---- languages -------------------------------------------------------------------------------


def test_language_by_lang_and_accept_language(server, idp, app):
    pool_id, client_id = app
    _, fr = open_login(server, client_id, lang="fr")
    assert '<html lang="fr">' in fr.body and "Se connecter" in fr.body
    b = Browser(server.endpoint, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    _, de = open_login(server, client_id, browser=b)
    assert '<html lang="de">' in de.body and "Anmelden" in de.body
    _, en = open_login(server, client_id, browser=b, lang="en")  # lang beats the header
    assert '<html lang="en">' in en.body and "Sign in" in en.body
    b = Browser(server.endpoint, headers={"Accept-Language": "ja, fr;q=0.3, de;q=0.2"})
    _, best = open_login(server, client_id, browser=b)
    assert '<html lang="fr">' in best.body
    _, other = open_login(server, client_id, lang="xx")
    assert '<html lang="en">' in other.body
    # Errors come in the page's language, and the language survives the post.
    make_user(idp, pool_id, "emile")
    b, page = open_login(server, client_id, lang="fr")
    bad = b.submit(page, {"username": "emile", "password": "Wr0ng-pass!"})
    assert error_text(bad) == "Nom d'utilisateur ou mot de passe incorrect."
    assert '<html lang="fr">' in bad.body


# ---- hostile input ---------------------------------------------------------------------------


def test_hostile_input(server, idp, app):
    pool_id, client_id = app
    b, page = open_login(server, client_id)
    evil = '"><script>alert(1)</script>'
    r = b.submit(page, {"username": evil, "password": "x"})
    assert r.status == 400 and "<script>alert(1)" not in r.body
    assert "&lt;script&gt;" in r.body
    _, hinted = open_login(server, client_id, login_hint=evil)
    assert "<script>alert(1)" not in hinted.body
    # Bad escapes, bad UTF-8, repeated parameters, oversized values: 400 pages, no crash.
    base = login_path(client_id)
    assert b.get(base + "&x=%zz").status == 400
    assert b.get(base + "&x=%ff%fe").status == 400
    assert b.get(base + "&state=a&state=b").status == 400
    assert b.get(base + "&x=" + "a" * 20000).status in (400, 414, 431)
    action = forms_of(page.body)[0]["action"]
    token = b.cookie("XSRF-TOKEN")
    raw = server.raw("POST", action, body=b"username=%zz&_csrf=" + token.encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              "Cookie": "XSRF-TOKEN=" + token})
    assert raw.status == 400
    # An unknown client is an error page, never a redirect.
    bad_client = b.get(login_path("nosuchclient0000000000000"))
    assert bad_client.status == 400 and "location" not in bad_client.headers
    assert b.get("/login/../etc/passwd").status in (400, 404)
    assert server.raw("GET", "/health").status == 200


# ---- sign-up, confirmation, reset ------------------------------------------------------------


def latest_code(server, pool_id, destination, count=1):
    msgs = wait_for(lambda: len(outbox_messages(server, pool_id, destination)) >= count and
                    outbox_messages(server, pool_id, destination))
    assert msgs, f"no message to {destination}"
    return CODE_RE.search(msgs[-1]["body"])[1]


def test_sign_up_confirm_and_sign_in(server, idp, app):
    pool_id, client_id = app
    b, page = open_login(server, client_id)
    signup = b.get(login_path(client_id).replace("/login", "/signup"))
    assert signup.status == 200
    assert 'name="attr_email"' not in signup.body or 'autocomplete="email"' in signup.body
    email = unique("frank") + "@example.com"
    weak = b.submit(signup, {"username": "frank", "password": "short", "attr_email": email})
    assert weak.status == 400 and error_text(weak).startswith("Password did not conform")
    confirm = b.submit(signup, {"username": "frank", "password": PASSWORD, "attr_email": email})
    assert confirm.status == 200, confirm.body
    assert "f***@e***" in confirm.body
    wrong = b.submit(confirm, {"code": "000000" if True else ""})
    assert wrong.status == 400
    resent = b.submit(confirm, {}, index=1)
    assert resent.status == 200
    code = latest_code(server, pool_id, email, count=2)
    # Signed up and confirmed in this browser: signed in, straight to the callback.
    done = b.submit(resent, {"code": code})
    assert_callback(done)
    assert b.cookie("cognito") and not b.cookie("cognito-signup")
    assert idp.admin_get_user(UserPoolId=pool_id, Username="frank")["UserStatus"] == "CONFIRMED"


def test_confirmation_signs_in_only_the_browser_that_signed_up(server, idp, app):
    pool_id, client_id = app
    email = unique("fay") + "@example.com"
    b, page = open_login(server, client_id)
    signup = b.get(login_path(client_id).replace("/login", "/signup"))
    confirm = b.submit(signup, {"username": "fay", "password": PASSWORD, "attr_email": email})
    assert confirm.status == 200 and b.cookie("cognito-signup")
    code = latest_code(server, pool_id, email)
    # Another browser with the code confirms the account but is not signed in.
    other, page = open_login(server, client_id)
    other_confirm = other.get(login_path(client_id, username="fay").replace("/login", "/confirm"))
    login = other.submit(other_confirm, {"username": "fay", "code": code})
    assert login.status == 200 and 'role="status"' in login.body, login.body[:400]
    assert not other.cookie("cognito")
    # A forged proof cookie is worth nothing either.
    gus_email = unique("gus") + "@example.com"
    idp.sign_up(ClientId=client_id, Username="gus", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": gus_email}])
    forged = Browser(server.endpoint)
    host = urllib.parse.urlsplit(server.endpoint).hostname
    forged.jar.set_cookie(http.cookiejar.Cookie(
        0, "cognito-signup", "A" * 43, None, False, host, False, False, "/", True, False, None,
        False, None, None, {}))
    form = forged.get(login_path(client_id, username="gus").replace("/login", "/confirm"))
    login = forged.submit(form, {"username": "gus", "code": latest_code(server, pool_id,
                                                                          gus_email)})
    assert login.status == 200 and 'role="status"' in login.body
    assert not forged.cookie("cognito")
    # The sign-up browser's proof names fay only: it stays unused by the others.
    assert b.cookie("cognito-signup")


def test_confirming_after_a_right_password_signs_in(server, idp, app):
    pool_id, client_id = app
    email = unique("gwen") + "@example.com"
    idp.sign_up(ClientId=client_id, Username="gwen", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    b, page = open_login(server, client_id)
    confirm = b.submit(page, {"username": "gwen", "password": PASSWORD})
    assert confirm.status == 200 and forms_of(confirm.body)[0]["action"].startswith("/confirm?")
    resent = b.submit(confirm, {}, index=1)
    assert_callback(b.submit(resent, {"code": latest_code(server, pool_id, email, count=2)}))
    # A wrong password reaches the confirmation page of nobody.
    idp.sign_up(ClientId=client_id, Username="gail", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": unique("gail") + "@example.com"}])
    b, page = open_login(server, client_id)
    wrong = b.submit(page, {"username": "gail", "password": "Wr0ng-pass!"})
    assert wrong.status == 400 and not b.cookie("cognito-signup")


def test_unconfirmed_sign_in_goes_to_the_confirm_page(server, idp, app):
    pool_id, client_id = app
    email = unique("gina") + "@example.com"
    idp.sign_up(ClientId=client_id, Username="gina", Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    b, page = open_login(server, client_id)
    confirm = b.submit(page, {"username": "gina", "password": PASSWORD})
    assert confirm.status == 200 and forms_of(confirm.body)[0]["action"].startswith("/confirm?")


def test_forgot_password_and_reset(server, idp, app):
    pool_id, client_id = app
    email = unique("hank") + "@example.com"
    make_user(idp, pool_id, "hank", email=email)
    b, page = open_login(server, client_id)
    forgot = b.get(login_path(client_id).replace("/login", "/forgotPassword"))
    reset = b.submit(forgot, {"username": "hank"})
    assert reset.status == 200 and "h***@e***" in reset.body
    code = latest_code(server, pool_id, email)
    # The new password signs the user in at once (a normal password sign-in).
    assert_callback(b.submit(reset, {"code": code, "password": "N3w-Passw0rd!"}))
    b, page = open_login(server, client_id)
    assert_callback(b.submit(page, {"username": "hank", "password": "N3w-Passw0rd!"}))


def test_reset_then_mfa_still_asks_for_the_code(server, idp):
    pool_id, client_id = make_app(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    email = unique("hal") + "@example.com"
    make_user(idp, pool_id, "hal", email=email)
    b, page = open_login(server, client_id)
    forgot = b.get(login_path(client_id).replace("/login", "/forgotPassword"))
    reset = b.submit(forgot, {"username": "hal"})
    code = latest_code(server, pool_id, email)
    setup = b.submit(reset, {"code": code, "password": "N3w-Passw0rd!"})
    assert setup.status == 200 and "<svg" in setup.body  # MFA setup, not the callback


# ---- challenges ------------------------------------------------------------------------------


def test_new_password_required(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "ivy", temporary=True)
    b, page = open_login(server, client_id)
    challenge = b.submit(page, {"username": "ivy", "password": PASSWORD})
    assert challenge.status == 200 and 'autocomplete="new-password"' in challenge.body
    weak = b.submit(challenge, {"password": "weak"})
    assert weak.status == 400 and error_text(weak)
    assert_callback(b.submit(weak, {"password": "N3w-Passw0rd!"}))
    assert idp.admin_get_user(UserPoolId=pool_id, Username="ivy")["UserStatus"] == "CONFIRMED"


def test_totp_setup_then_sign_in_with_mfa(server, idp):
    pool_id, client_id = make_app(idp)
    idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                 SoftwareTokenMfaConfiguration={"Enabled": True})
    make_user(idp, pool_id, "jack")
    b, page = open_login(server, client_id)
    setup = b.submit(page, {"username": "jack", "password": PASSWORD})
    assert setup.status == 200, setup.body
    assert "<svg" in setup.body and 'role="img"' in setup.body
    secret = re.search(r'<code id="secret-code">([A-Z2-7]+)</code>', setup.body)[1]
    bad = b.submit(setup, {"code": "000000" if totp_at_step(secret, step_now()) != "000000"
                           else "111111"})
    assert bad.status == 400 and secret in bad.body
    step = step_now()
    assert_callback(b.submit(bad, {"code": totp_at_step(secret, step), "device_name": "phone"}))

    # Next sign-in: the TOTP challenge. The step just used is refused; the next one is inside
    # the ±1-step window (RFC 6238 §5.2), so there is no need to wait 30 s for it.
    b2, page = open_login(server, client_id)
    mfa = b2.submit(page, {"username": "jack", "password": PASSWORD})
    assert mfa.status == 200 and 'autocomplete="one-time-code"' in mfa.body
    assert_callback(b2.submit(mfa, {"code": totp_at_step(secret, step + 1)}))


def test_select_mfa_type_then_sms_or_email_code(server, idp):
    pool_id, client_id = make_app(idp, EmailConfiguration={
        "EmailSendingAccount": "DEVELOPER", "From": "no-reply@example.com",
        "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"})
    raw_ok(server, "SetUserPoolMfaConfig", {
        "UserPoolId": pool_id, "MfaConfiguration": "OPTIONAL",
        "SmsMfaConfiguration": {"SmsConfiguration": SMS_CONFIG},
        "EmailMfaConfiguration": {"Message": "Your code: {####}", "Subject": "Sign-in code"}})
    email = unique("kate") + "@example.com"
    phone = "+1206555" + str(int(time.time() * 1000) % 10000).zfill(4)
    idp.admin_create_user(UserPoolId=pool_id, Username="kate", TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS", UserAttributes=[
                              {"Name": "email", "Value": email},
                              {"Name": "email_verified", "Value": "true"},
                              {"Name": "phone_number", "Value": phone},
                              {"Name": "phone_number_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username="kate", Password=PASSWORD,
                                Permanent=True)
    raw_ok(server, "AdminSetUserMFAPreference", {
        "UserPoolId": pool_id, "Username": "kate", "SMSMfaSettings": {"Enabled": True},
        "EmailMfaSettings": {"Enabled": True}})

    for choice, destination, count in (("SMS_MFA", phone, 1), ("EMAIL_OTP", email, 1)):
        b, page = open_login(server, client_id)
        select = b.submit(page, {"username": "kate", "password": PASSWORD})
        assert select.status == 200, select.body
        assert 'type="radio"' in select.body and 'value="SMS_MFA"' in select.body
        assert 'value="EMAIL_OTP"' in select.body and "<fieldset>" in select.body
        code_page = b.submit(select, {"mfa": choice})
        assert code_page.status == 200, error_text(code_page)
        assert 'autocomplete="one-time-code"' in code_page.body
        code = mfa_code(server, pool_id, destination, count)
        wrong = b.submit(code_page, {"code": "000000" if code != "000000" else "111111"})
        assert wrong.status == 400 and error_text(wrong)
        assert_callback(b.submit(wrong, {"code": code}))


# ---- branding and pool domains ---------------------------------------------------------------

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f00f0004850180848a8c21"
    "0000000049454e44ae426082")


def test_branding_css_and_logo_reach_the_pages(server, idp, app):
    pool_id, client_id = app
    prefix = unique("brand").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    css = ".submitButton-customizable { background-color: #2e7d32; }"
    idp.set_ui_customization(UserPoolId=pool_id, ClientId=client_id, CSS=css, ImageFile=PNG)
    b, page = open_login(server, client_id)
    link = re.search(r'<link rel="stylesheet" href="(/assets/branding\.css\?[^"]+)"', page.body)
    assert link, page.body[:1500]
    got = b.get(html.unescape(link[1]))
    assert got.status == 200 and got.headers["content-type"].startswith("text/css")
    assert "submitButton-customizable" in got.body and "#2e7d32" in got.body
    logo = re.search(r'<img class="logo-customizable" src="([^"]+)"', page.body)
    assert logo
    img = server.raw("GET", html.unescape(logo[1]))
    assert img.status == 200 and img.headers["content-type"] == "image/png" and img.body == PNG
    # GetUICustomization's ImageUrl is served too.
    url = idp.get_ui_customization(UserPoolId=pool_id, ClientId=client_id)["UICustomization"][
        "ImageUrl"]
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    assert server.raw("GET", path).body == PNG
    assert 'class="btn submitButton-customizable"' in page.body
    assert server.raw("GET", "/logo?client_id=nosuchclient").status == 404


def test_pages_on_the_pool_domain(server, idp, app):
    pool_id, client_id = app
    prefix = unique("pages").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pool_id, Domain=prefix)
    make_user(idp, pool_id, "liam")
    host = f"{prefix}.auth.localhost:{server.port}"
    b = Browser(server.endpoint, headers={"Host": host})
    page = b.get(login_path(client_id))
    assert page.status == 200, page.body[:500]
    assert_callback(b.submit(page, {"username": "liam", "password": PASSWORD}))
    # A client of another pool is refused on this pool's domain.
    _, other = make_app(idp)
    refused = b.get(login_path(other))
    assert refused.status == 400 and "location" not in refused.headers


def test_mfa_setup_by_email(server, idp):
    pool_id, client_id = make_app(idp, EmailConfiguration={
        "EmailSendingAccount": "DEVELOPER", "From": "no-reply@example.com",
        "SourceArn": "arn:aws:ses:us-east-1:000000000000:identity/example.com"})
    raw_ok(server, "SetUserPoolMfaConfig", {"UserPoolId": pool_id, "MfaConfiguration": "ON",
                                            "EmailMfaConfiguration": {}})
    idp.admin_create_user(UserPoolId=pool_id, Username="mona", TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username="mona", Password=PASSWORD,
                                Permanent=True)
    b, page = open_login(server, client_id)
    setup = b.submit(page, {"username": "mona", "password": PASSWORD})
    assert setup.status == 200 and 'autocomplete="email"' in setup.body, error_text(setup)
    email = unique("mona") + "@example.com"
    code_page = b.submit(setup, {"email": email})
    assert code_page.status == 200 and 'autocomplete="one-time-code"' in code_page.body, \
        error_text(code_page)
    assert_callback(b.submit(code_page, {"code": mfa_code(server, pool_id, email)}))
    user = idp.admin_get_user(UserPoolId=pool_id, Username="mona")
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]


# ---- choice-based sign-in (managed login) ----------------------------------------------------

FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


def make_choice_app(server, idp, version=2, factors=FACTORS, flows=("ALLOW_USER_AUTH",),
                    prevent="ENABLED", domain=True):
    """A pool whose SignInPolicy allows `factors`, a client with `flows` and (when `domain`) a
    prefix domain of ManagedLoginVersion `version`. Returns (pool_id, client_id, prefix)."""
    from test_user_auth import call
    pool_id = call(server, "CreateUserPool", signed=True, PoolName=unique("choice"),
                   Policies={"SignInPolicy": {"AllowedFirstAuthFactors": list(factors)}},
                   AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("web"), ExplicitAuthFlows=list(flows),
        PreventUserExistenceErrors=prevent, CallbackURLs=[CALLBACK],
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]
    prefix = None
    if domain:
        prefix = unique("choice").lower().replace("_", "-")
        call(server, "CreateUserPoolDomain", signed=True, UserPoolId=pool_id, Domain=prefix,
             ManagedLoginVersion=version)
    return pool_id, client["ClientId"], prefix


def make_choice_user(idp, pool_id, name, password=True):
    """A user with a verified e-mail address and phone number; returns (email, phone)."""
    email = unique(name) + "@example.com"
    phone = "+1206555" + str(int(time.time() * 1000) % 10000).zfill(4)
    idp.admin_create_user(UserPoolId=pool_id, Username=name, TemporaryPassword=PASSWORD,
                          MessageAction="SUPPRESS", UserAttributes=[
                              {"Name": "email", "Value": email},
                              {"Name": "email_verified", "Value": "true"},
                              {"Name": "phone_number", "Value": phone},
                              {"Name": "phone_number_verified", "Value": "true"}])
    if password:
        idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD,
                                    Permanent=True)
    return email, phone


def sign_in_code(server, pool_id, destination, count=1):
    msgs = wait_for(lambda: [m for m in outbox_messages(server, pool_id, destination)
                             if m.get("purpose") == "sign_in_code"][count - 1:] or None)
    assert msgs, f"no sign-in code to {destination}"
    return CODE_RE.search(msgs[-1]["body"])[1]


def factor_buttons(page):
    return re.findall(r'<button type="submit" name="factor" value="([A-Z_]+)"', page.body)


def test_choice_sign_in_asks_the_username_then_offers_the_factors(server, idp):
    pool_id, client_id, _ = make_choice_app(server, idp)
    email, phone = make_choice_user(idp, pool_id, "nora")
    b, page = open_login(server, client_id)
    assert 'name="password"' not in page.body and 'name="username"' in page.body
    choice = b.submit(page, {"username": "nora"})
    assert choice.status == 200, error_text(choice)
    assert factor_buttons(choice) == ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]
    assert "nora" in choice.body and "<fieldset>" in choice.body

    # PASSWORD: the password page, then the callback.
    password_page = b.submit(choice, {"factor": "PASSWORD"})
    assert password_page.status == 200 and 'autocomplete="current-password"' in password_page.body
    wrong = b.submit(password_page, {"password": "Wr0ng-pass!"})
    assert wrong.status == 400 and error_text(wrong) == "Incorrect username or password."
    assert 'name="password"' in wrong.body  # still the password step
    assert_callback(b.submit(wrong, {"password": PASSWORD}))

    # EMAIL_OTP and SMS_OTP: the code page, a wrong code stays, the right one signs in.
    for factor, destination in (("EMAIL_OTP", email), ("SMS_OTP", phone)):
        b, page = open_login(server, client_id)
        choice = b.submit(page, {"username": "nora"})
        code_page = b.submit(choice, {"factor": factor})
        assert code_page.status == 200, error_text(code_page)
        assert 'autocomplete="one-time-code"' in code_page.body
        assert "Enter your sign-in code" in code_page.body and 'href="/login?' in code_page.body
        code = sign_in_code(server, pool_id, destination)
        wrong = b.submit(code_page, {"code": "000000" if code != "000000" else "111111"})
        assert wrong.status == 400 and error_text(wrong)
        assert_callback(b.submit(wrong, {"code": code}))


def test_choice_one_time_code_needs_no_further_mfa(server, idp):
    pool_id, client_id, _ = make_choice_app(server, idp)
    raw_ok(server, "SetUserPoolMfaConfig", {"UserPoolId": pool_id, "MfaConfiguration": "ON",
                                            "SoftwareTokenMfaConfiguration": {"Enabled": True}})
    email, _ = make_choice_user(idp, pool_id, "olga")
    b, page = open_login(server, client_id)
    code_page = b.submit(b.submit(page, {"username": "olga"}), {"factor": "EMAIL_OTP"})
    assert code_page.status == 200, error_text(code_page)
    assert_callback(b.submit(code_page, {"code": sign_in_code(server, pool_id, email)}))
    # The password factor still goes through MFA (here: the TOTP setup).
    b, page = open_login(server, client_id)
    password_page = b.submit(b.submit(page, {"username": "olga"}), {"factor": "PASSWORD"})
    setup = b.submit(password_page, {"password": PASSWORD})
    assert setup.status == 200 and "<svg" in setup.body, error_text(setup)


def test_choice_sign_in_for_an_unknown_user_looks_the_same(server, idp):
    pool_id, client_id, _ = make_choice_app(server, idp)
    make_choice_user(idp, pool_id, "pete")
    b, page = open_login(server, client_id)
    known = b.submit(page, {"username": "pete"})
    b, page = open_login(server, client_id)
    unknown = b.submit(page, {"username": "nobody-here"})
    assert unknown.status == known.status == 200
    assert factor_buttons(unknown) == factor_buttons(known)
    code_page = b.submit(unknown, {"factor": "EMAIL_OTP"})
    assert code_page.status == 200 and 'autocomplete="one-time-code"' in code_page.body
    wrong = b.submit(code_page, {"code": "123456"})
    assert wrong.status == 400 and error_text(wrong) == \
        "Invalid verification code provided, please try again."
    b, page = open_login(server, client_id)
    password_page = b.submit(b.submit(page, {"username": "nobody-here"}), {"factor": "PASSWORD"})
    refused = b.submit(password_page, {"password": PASSWORD})
    assert refused.status == 400 and error_text(refused) == "Incorrect username or password."
    # Without PreventUserExistenceErrors the username step says so.
    _, legacy, _ = make_choice_app(server, idp, prevent="LEGACY")
    b, page = open_login(server, legacy)
    said = b.submit(page, {"username": "nobody-here"})
    assert said.status == 400 and error_text(said) == "User does not exist."


def test_choice_sign_in_only_on_managed_login(server, idp):
    # ManagedLoginVersion 1 (classic hosted UI): the password form.
    pool_id, client_id, prefix = make_choice_app(server, idp, version=1)
    make_choice_user(idp, pool_id, "quinn")
    b, page = open_login(server, client_id)
    assert 'name="password"' in page.body
    assert_callback(b.submit(page, {"username": "quinn", "password": PASSWORD}))
    # No domain at all: version 1 on the main host.
    _, no_domain, _ = make_choice_app(server, idp, domain=False)
    assert 'name="password"' in open_login(server, no_domain)[1].body
    # A client without ALLOW_USER_AUTH, and a pool allowing PASSWORD alone: the password form.
    _, srp_only, _ = make_choice_app(server, idp, flows=("ALLOW_USER_SRP_AUTH",))
    assert 'name="password"' in open_login(server, srp_only)[1].body
    _, password_only, _ = make_choice_app(server, idp, factors=["PASSWORD"])
    assert 'name="password"' in open_login(server, password_only)[1].body
    # On the pool's own domain its version decides; on the main host the prefix domain's.
    pool_id, client_id, prefix = make_choice_app(server, idp, version=2)
    make_choice_user(idp, pool_id, "rita")
    host = f"{prefix}.auth.localhost:{server.port}"
    b = Browser(server.endpoint, headers={"Host": host})
    page = b.get(login_path(client_id))
    assert page.status == 200 and 'name="password"' not in page.body
    raw_ok(server, "UpdateUserPoolDomain", {"UserPoolId": pool_id, "Domain": prefix,
                                            "ManagedLoginVersion": 1})
    assert 'name="password"' in b.get(login_path(client_id)).body
    assert 'name="password"' in open_login(server, client_id)[1].body


def test_choice_sign_in_with_the_password_in_one_post(server, idp):
    """The classic form's fields (username + password) work on a managed-login page too."""
    pool_id, client_id, _ = make_choice_app(server, idp)
    make_choice_user(idp, pool_id, "sam")
    location, _ = hosted_login(server.endpoint, authorize_params(client_id), "sam", PASSWORD)
    assert location and location.startswith(CALLBACK + "?code="), location


# ---- steps the hosted pages do not take ------------------------------------------------------


def test_custom_auth_pools_sign_in_with_the_password_on_the_pages(server, idp, lambda_host):
    """Cognito's hosted UI has no custom authentication: the pages sign in with the password and
    never call the pool's challenge functions, whatever the client's ExplicitAuthFlows."""
    host = lambda_host("handlers/customauth_handlers.mjs")
    host.clear()
    pool_id = idp.create_user_pool(PoolName=unique("custom"), LambdaConfig={
        "DefineAuthChallenge": host.url("defineAuthChallenge"),
        "CreateAuthChallenge": host.url("createAuthChallenge"),
        "VerifyAuthChallengeResponse": host.url("verifyAuthChallengeResponse")})["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=unique("c"), ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH"],
        CallbackURLs=[CALLBACK], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    make_user(idp, pool_id, "cora")
    b, page = open_login(server, client_id)
    assert_callback(b.submit(page, {"username": "cora", "password": PASSWORD}))
    assert host.events() == []


def test_a_step_the_pages_cannot_take_gets_a_clear_message(server, idp, app):
    pool_id, client_id = app
    make_user(idp, pool_id, "dina")
    b, page = open_login(server, client_id, lang="fr")
    for challenge in ("CUSTOM_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"):
        fields = {"_csrf": b.cookie("XSRF-TOKEN"), "challenge": challenge, "session": "x" * 40,
                  "username": "dina", "cp": "{}"}
        shown = b.post(login_path(client_id, lang="fr").replace("/login", "/challenge"), fields)
        assert shown.status == 400
        assert "ne prennent pas en charge" in html.unescape(shown.body)
        assert "Something went wrong" not in shown.body and "Une erreur" not in shown.body
        assert 'href="/login?' in shown.body
    # A device-tracking pool: the pages name no device, so no device step comes.
    pool_id, client_id = make_app(idp, DeviceConfiguration={
        "ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False})
    make_user(idp, pool_id, "dora")
    b, page = open_login(server, client_id)
    assert_callback(b.submit(page, {"username": "dora", "password": PASSWORD}))
