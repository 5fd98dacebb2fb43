"""Who may write: an operator's token (CAPWATCH_WEB_TOKEN) opens a signed session cookie, and
every write carries a CSRF token bound to that session.

- The session cookie is `issued.nonce.signature`, signed with HMAC-SHA256 under a key derived
  from the token: changing the token ends every session. HttpOnly, SameSite=Strict, 12 hours.
- The CSRF token is another HMAC of the session (synchronizer token in each form), checked in
  constant time; a POST whose Origin names another host is refused before that.
- Without a token the console is read-only: no login, every write refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

COOKIE = "capwatch_session"
SESSION_SECONDS = 12 * 3600


@dataclass(frozen=True)
class Session:
    value: str  # the cookie as sent
    csrf: str  # the token forms must echo


class Guard:
    def __init__(self, token: str | None, secure_cookies: bool = False) -> None:
        self._key = (
            hashlib.sha256(b"capwatch-web-session\0" + token.encode()).digest() if token else None
        )
        self._token = token
        self.secure_cookies = secure_cookies

    @property
    def enabled(self) -> bool:
        return self._key is not None

    def _sign(self, text: str) -> str:
        assert self._key is not None
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        if self._token is None:
            return False
        return hmac.compare_digest(given.encode(), self._token.encode())

    def new_session(self) -> Session:
        body = f"{int(time.time())}.{secrets.token_hex(16)}"
        value = f"{body}.{self._sign(body)}"
        return Session(value, self._sign("csrf\0" + value))

    def session(self, request: web.Request) -> Session | None:
        """The request's valid, unexpired session, or None."""
        if self._key is None:
            return None
        value = request.cookies.get(COOKIE, "")
        issued, _, rest = value.partition(".")
        nonce, _, signature = rest.partition(".")
        if not (issued.isdigit() and nonce and signature):
            return None
        if not hmac.compare_digest(signature, self._sign(f"{issued}.{nonce}")):
            return None
        if time.time() - int(issued) > SESSION_SECONDS:
            return None
        return Session(value, self._sign("csrf\0" + value))

    def set_cookie(self, response: web.StreamResponse, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            session.value,
            max_age=SESSION_SECONDS,
            httponly=True,
            samesite="Strict",
            secure=self.secure_cookies,
            path="/",
        )

    @staticmethod
    def same_origin(request: web.Request) -> bool:
        """False when the browser says the form came from another site."""
        origin = request.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None
        return urlsplit(origin).netloc == request.host

    def check_write(self, request: web.Request, form_csrf: str) -> Session:
        """The session allowed to write, or an HTTP error that says why not."""
        if not self.enabled:
            raise web.HTTPForbidden(text="read-only console: set CAPWATCH_WEB_TOKEN to write")
        if not self.same_origin(request):
            raise web.HTTPForbidden(text="cross-site request refused")
        session = self.session(request)
        if session is None:
            raise web.HTTPForbidden(text="log in first (the operator's CAPWATCH_WEB_TOKEN)")
        if not hmac.compare_digest(form_csrf.encode(), session.csrf.encode()):
            raise web.HTTPForbidden(text="bad or missing CSRF token: reload the page")
        return session
