"""Hosted-page branding end to end: Get/SetUICustomization with boto3 and the aws CLI (CSS limited
to Cognito's customizable classes, PNG/JPEG logos, per pool and per client) and the managed-login
branding operations (newer than Debian's botocore, so sent as signed awsJson requests)."""

from __future__ import annotations

import base64
import datetime

import pytest
from botocore.exceptions import ClientError

import harness

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
CSS = ".submitButton-customizable { background-color: #2e7d32; }\n.label-customizable { font-weight: 400; }"


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


@pytest.fixture
def branded(idp, plain_pool):
    """A pool with a domain and one app client."""
    pid = plain_pool["Id"]
    idp.create_user_pool_domain(UserPoolId=pid,
                                Domain=harness.unique("brand").lower().replace("_", "-"))
    client = idp.create_user_pool_client(UserPoolId=pid, ClientName="web")["UserPoolClient"]
    return pid, client["ClientId"]


def test_ui_customization_needs_a_domain(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=plain_pool["Id"], CSS=CSS)
    assert error_of(e) == ("InvalidParameterException",
                           "There has to be an existing domain associated with this user pool")


def test_ui_customization_pool_and_client(idp, branded):
    pid, cid = branded
    got = idp.get_ui_customization(UserPoolId=pid)["UICustomization"]
    assert got == {"UserPoolId": pid, "ClientId": "ALL"}

    ui = idp.set_ui_customization(UserPoolId=pid, ClientId="ALL", CSS=CSS,
                                  ImageFile=PNG)["UICustomization"]
    assert ui["UserPoolId"] == pid and ui["ClientId"] == "ALL"
    assert ui["CSS"] == CSS
    assert isinstance(ui["CreationDate"], datetime.datetime)
    assert isinstance(ui["LastModifiedDate"], datetime.datetime)
    assert "/assets/logo?client_id=ALL" in ui["ImageUrl"]
    assert ui["CSSVersion"]

    # A client without its own falls back to the pool's.
    fallback = idp.get_ui_customization(UserPoolId=pid, ClientId=cid)["UICustomization"]
    assert fallback["ClientId"] == "ALL" and fallback["CSS"] == CSS

    own = idp.set_ui_customization(UserPoolId=pid, ClientId=cid,
                                   CSS=".banner-customizable { background-color: #000; }")
    assert own["UICustomization"]["ClientId"] == cid
    mine = idp.get_ui_customization(UserPoolId=pid, ClientId=cid)["UICustomization"]
    assert mine["ClientId"] == cid and "ImageUrl" not in mine
    assert idp.get_ui_customization(UserPoolId=pid)["UICustomization"]["CSS"] == CSS


@pytest.mark.parametrize("css", [
    "body { color: red; }",
    ".submitButton-customizable:active { color: red; }",
    "@import url('https://evil.example/x.css');",
    "@media print { .label-customizable { color: red; } }",
    ".label-customizable { background-image: url(https://evil.example/t.png); }",
    ".label-customizable { color: red; } </style><script>alert(1)</script>",
    ".label-customizable { width: expression(alert(1)); }",
    ".label-customizable { color: red;",
])
def test_css_outside_the_allowed_classes_is_refused(idp, branded, css):
    pid, _ = branded
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=pid, CSS=css)
    code, message = error_of(e)
    assert code == "InvalidParameterException"
    assert message.startswith("The CSS is not valid: ")


def test_ui_customization_errors(idp, branded):
    pid, _ = branded
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=pid, ImageFile=b"GIF89a not a png")
    assert error_of(e) == ("InvalidParameterException",
                           "The image file must be a PNG or JPEG image.")
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=pid, ImageFile=PNG + b"x" * (101 * 1024))
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp.set_ui_customization(UserPoolId=pid, ClientId="nosuchclient", CSS=CSS)
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool client nosuchclient does not exist.")
    with pytest.raises(ClientError) as e:
        idp.get_ui_customization(UserPoolId="us-east-1_nothere00")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool us-east-1_nothere00 does not exist.")


def test_cli_set_and_get(server, branded, tmp_path):
    pid, cid = branded
    css_file = tmp_path / "brand.css"
    css_file.write_text(CSS)
    out = server.aws("set-ui-customization", "--user-pool-id", pid, "--client-id", cid,
                     "--css", f"file://{css_file}")
    assert out.returncode == 0, out.stderr
    out = server.aws("get-ui-customization", "--user-pool-id", pid, "--client-id", cid)
    assert out.returncode == 0, out.stderr
    assert "submitButton-customizable" in out.stdout


def call(server, op, payload):
    return server.call_raw(op, payload)


def test_managed_login_branding_lifecycle(server, branded):
    pid, cid = branded
    settings = {"components": {"primaryButton": {"lightMode": {"defaults": {
        "backgroundColor": "2e7d32ff"}}}}}
    assets = [{"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG",
               "Bytes": base64.b64encode(PNG).decode()}]
    r = call(server, "CreateManagedLoginBranding", {"UserPoolId": pid, "ClientId": cid,
                                                    "Settings": settings, "Assets": assets})
    assert r.status == 200, r.body
    style = r.json()["ManagedLoginBranding"]
    sid = style["ManagedLoginBrandingId"]
    assert style["UserPoolId"] == pid
    assert style["UseCognitoProvidedValues"] is False
    assert style["Settings"] == settings
    assert style["Assets"] == assets
    assert isinstance(style["CreationDate"], (int, float))

    r = call(server, "CreateManagedLoginBranding", {"UserPoolId": pid, "ClientId": cid,
                                                    "UseCognitoProvidedValues": True})
    assert r.status == 400 and r.error_type == "ManagedLoginBrandingExistsException"

    r = call(server, "DescribeManagedLoginBrandingByClient", {"UserPoolId": pid, "ClientId": cid})
    assert r.status == 200 and r.json()["ManagedLoginBranding"]["ManagedLoginBrandingId"] == sid
    r = call(server, "DescribeManagedLoginBranding", {"UserPoolId": pid,
                                                      "ManagedLoginBrandingId": sid,
                                                      "ReturnMergedResources": True})
    merged = r.json()["ManagedLoginBranding"]["Settings"]
    assert merged["components"]["primaryButton"]["lightMode"]["defaults"] == {
        "backgroundColor": "2e7d32ff", "textColor": "ffffffff"}
    r = call(server, "DescribeManagedLoginBranding", {"UserPoolId": pid,
                                                      "ManagedLoginBrandingId": sid})
    assert r.json()["ManagedLoginBranding"]["Settings"] == settings

    r = call(server, "UpdateManagedLoginBranding", {
        "UserPoolId": pid, "ManagedLoginBrandingId": sid,
        "Settings": {"categories": {"global": {"colorSchemeMode": "DARK"}}}})
    assert r.status == 200, r.body
    updated = r.json()["ManagedLoginBranding"]
    assert updated["Settings"]["categories"]["global"]["colorSchemeMode"] == "DARK"
    assert updated["Settings"]["components"] == settings["components"]
    assert updated["Assets"] == assets

    r = call(server, "UpdateManagedLoginBranding", {"UserPoolId": pid,
                                                    "ManagedLoginBrandingId": sid,
                                                    "UseCognitoProvidedValues": True})
    assert r.json()["ManagedLoginBranding"]["UseCognitoProvidedValues"] is True
    assert r.json()["ManagedLoginBranding"]["Settings"] == {}

    r = call(server, "DeleteManagedLoginBranding", {"UserPoolId": pid,
                                                    "ManagedLoginBrandingId": sid})
    assert r.status == 200 and r.json() == {}
    r = call(server, "DescribeManagedLoginBranding", {"UserPoolId": pid,
                                                      "ManagedLoginBrandingId": sid})
    assert r.status == 400 and r.error_type == "ResourceNotFoundException"
    r = call(server, "DescribeManagedLoginBrandingByClient", {"UserPoolId": pid, "ClientId": cid})
    assert r.status == 400 and r.error_type == "ResourceNotFoundException"


def test_managed_login_branding_errors(server, branded):
    pid, cid = branded
    r = call(server, "CreateManagedLoginBranding", {"UserPoolId": pid, "ClientId": cid,
                                                    "UseCognitoProvidedValues": True,
                                                    "Settings": {}})
    assert r.status == 400 and r.error_type == "InvalidParameterException"
    dup = {"Category": "FORM_LOGO", "ColorMode": "LIGHT", "Extension": "PNG"}
    r = call(server, "CreateManagedLoginBranding", {"UserPoolId": pid, "ClientId": cid,
                                                    "Assets": [dup, dup]})
    assert r.status == 400 and r.error_type == "InvalidParameterException"
    # The model's enums and limits at the door.
    r = call(server, "CreateManagedLoginBranding", {
        "UserPoolId": pid, "ClientId": cid,
        "Assets": [{"Category": "NOPE", "ColorMode": "LIGHT", "Extension": "PNG"}]})
    assert r.status == 400 and r.error_type == "InvalidParameterException"
    r = call(server, "CreateManagedLoginBranding", {"UserPoolId": pid, "ClientId": "nosuch"})
    assert r.status == 400 and r.error_type == "ResourceNotFoundException"
    r = call(server, "DescribeManagedLoginBranding", {
        "UserPoolId": pid, "ManagedLoginBrandingId": "6f1b2c3d-1111-4222-8333-444455556666"})
    assert r.status == 400 and r.error_type == "ResourceNotFoundException"
    r = call(server, "DeleteManagedLoginBranding", {
        "UserPoolId": pid, "ManagedLoginBrandingId": "not-a-uuid"})
    assert r.status == 400 and r.error_type == "InvalidParameterException"


def _get(server, path: str, host: str | None = None):
    headers = {"Host": host} if host else {}
    return server.raw("GET", path, headers=headers)


def test_the_hosted_pages_show_the_branding(idp, server, plain_pool):
    """UI customization and a managed-login style reach /login (on the main host and on the
    pool's domain) through the pages' branding CSS and logo routes."""
    import re
    import urllib.parse
    pid = plain_pool["Id"]
    prefix = harness.unique("look").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pid, Domain=prefix)
    cid = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="web", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid"],
        CallbackURLs=["https://app.example/cb"],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"]
    idp.set_ui_customization(UserPoolId=pid, CSS=CSS, ImageFile=PNG)
    r = call(server, "CreateManagedLoginBranding", {
        "UserPoolId": pid, "ClientId": cid,
        "Settings": {"components": {"pageBackground": {"lightMode": {"color": "fafafaff"}}}}})
    assert r.status == 200, r.body
    query = urllib.parse.urlencode({"client_id": cid, "response_type": "code",
                                    "redirect_uri": "https://app.example/cb", "scope": "openid"})
    for host in (None, f"{prefix}.auth.localhost:{server.port}"):
        page = _get(server, f"/login?{query}", host)
        assert page.status == 200, page.body[:300]
        text = page.body.decode()
        css_href = re.search(r'href="(/assets/branding\.css\?[^"]+)"', text)
        logo_src = re.search(r'src="(/logo\?[^"]+)"', text)
        assert css_href and logo_src, text[:2000]
        css = _get(server, css_href.group(1).replace("&amp;", "&"), host)
        assert css.status == 200
        assert css.headers["content-type"].startswith("text/css")
        body = css.body.decode()
        assert ".submitButton-customizable {\n  background-color: #2e7d32;" in body
        assert "--cognate-page-bg:#fafafaff" in body
        logo = _get(server, logo_src.group(1).replace("&amp;", "&"), host)
        assert logo.status == 200 and logo.body == PNG
        assert logo.headers["content-type"] == "image/png"
