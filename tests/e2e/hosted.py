"""Drives Cognate's hosted sign-in pages with the standard library only, as a browser would:
GET /oauth2/authorize, follow to /login, read the CSRF token from the form, post the credentials,
and stop at the redirect that leaves the server (the app's callback with ?code= or #tokens).

    location, jar = hosted_login(base_url, {"client_id": ..., "response_type": "code",
                                            "redirect_uri": ..., "scope": "openid"},
                                 "alice", "Passw0rd!")

The cookie jar carries the hosted session (`cognito`) and the CSRF cookie (`XSRF-TOKEN`) for
further requests (a second /oauth2/authorize lets the user through without a password).
"""

from __future__ import annotations

import html.parser
import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Page:
    """One HTTP answer: status, headers (lowercase names), body text and final URL."""

    def __init__(self, status: int, headers: dict, body: str, url: str):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


class FormParser(html.parser.HTMLParser):
    """The forms of a page: [{"action", "method", "fields": {name: value}}] (hidden and filled
    inputs; radio buttons contribute their checked value)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"),
                               "fields": {}})
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type") == "radio" and "checked" not in a:
                return
            self.forms[-1]["fields"][a["name"]] = a.get("value") or ""


def forms_of(body: str) -> list[dict]:
    p = FormParser()
    p.feed(body)
    return p.forms


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects by itself."""

    def __init__(self, base_url: str, jar: http.cookiejar.CookieJar | None = None,
                 headers: dict | None = None):
        self.base_url = base_url.rstrip("/")
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.headers = headers or {}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect())

    def url(self, path_or_url: str) -> str:
        return urllib.parse.urljoin(self.base_url + "/", path_or_url)

    def request(self, method: str, path_or_url: str, data: dict | None = None,
                headers: dict | None = None) -> Page:
        url = self.url(path_or_url)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        h = dict(self.headers)
        h.update(headers or {})
        if body is not None:
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        req = urllib.request.Request(url, data=body, method=method, headers=h)
        try:
            resp = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as e:
            resp = e
        with resp:
            text = resp.read().decode("utf-8", "replace")
            return Page(resp.status if hasattr(resp, "status") else resp.code,
                        {k.lower(): v for k, v in resp.headers.items()}, text, url)

    def get(self, path_or_url: str, **kw) -> Page:
        return self.request("GET", path_or_url, **kw)

    def post(self, path_or_url: str, data: dict, **kw) -> Page:
        return self.request("POST", path_or_url, data=data, **kw)

    def follow(self, page: Page, limit: int = 10) -> Page:
        """Follows redirects that stay on this server; stops at one that leaves it."""
        for _ in range(limit):
            if page.status not in (301, 302, 303, 307) or not page.location:
                return page
            nxt = urllib.parse.urljoin(page.url, page.location)
            if not nxt.startswith(self.base_url + "/"):
                return page
            page = self.get(nxt)
        return page

    def submit(self, page: Page, values: dict, index: int = 0) -> Page:
        """Posts the page's form number `index` with its hidden fields plus `values`."""
        form = forms_of(page.body)[index]
        fields = dict(form["fields"])
        fields.update(values)
        return self.post(urllib.parse.urljoin(page.url, form["action"]), fields)

    def cookie(self, name: str) -> str | None:
        for c in self.jar:
            if c.name == name:
                return c.value
        return None


def hosted_login(base_url: str, authorize_params: dict, username: str, password: str,
                 browser: Browser | None = None):
    """Signs `username` in through /oauth2/authorize and /login. Returns (location, cookie_jar):
    the Location of the redirect that leaves the server (the callback with code/state, or an
    error), or None when the sign-in stopped on a page (wrong password, a challenge)."""
    b = browser or Browser(base_url)
    page = b.get("/oauth2/authorize?" + urllib.parse.urlencode(authorize_params))
    page = b.follow(page)
    if page.status in (301, 302, 303, 307):
        return page.location, b.jar  # a live hosted session went straight to the callback
    done = b.submit(page, {"username": username, "password": password})
    done = b.follow(done)
    return (done.location if done.status in (301, 302, 303, 307) else None), b.jar


def callback_params(location: str) -> dict:
    """The query (or, for the implicit flow, fragment) parameters of a callback location."""
    parts = urllib.parse.urlsplit(location)
    text = parts.query or parts.fragment
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
