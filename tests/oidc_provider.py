"""A small fake OpenID Connect identity provider on 127.0.0.1, for the SSO tests.

It serves, on a free loopback port, in a thread:

- ``/.well-known/openid-configuration`` (discovery),
- ``/authorize``: no login page; it redirects straight back to ``redirect_uri`` with
  a code for the identity chosen with :meth:`FakeIdentityProvider.sign_in_as`,
- ``/token``: checks the client, the code (single use), the redirect URI and PKCE,
  and returns an access token and an ``id_token`` signed RS256 with a key made at start,
- ``/userinfo`` (bearer access token) and ``/jwks``.

Every request is recorded in ``requests`` so that tests can see who called what.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_LIFETIME = 300


@dataclass
class Identity:
    """Who the provider says signed in."""

    sub: str
    email: str | None
    email_verified: bool = True
    name: str = ""

    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"sub": self.sub}
        if self.email is not None:
            claims["email"] = self.email
            claims["email_verified"] = self.email_verified
        if self.name:
            claims["name"] = self.name
        return claims


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Grant:
    identity: Identity
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None


class FakeIdentityProvider:
    """Start with ``with FakeIdentityProvider(...) as idp:``; ``idp.issuer`` is its URL."""

    def __init__(
        self,
        client_id: str = "backline",
        client_secret: str = "fake-idp-secret",
        host: str = "127.0.0.1",
        redirect_uris: list[str] | None = None,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError("the fake identity provider listens on loopback only")
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris  # None: accept any redirect URI
        self.identity: Identity | None = None
        self.requests: list[Recorded] = []
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, Identity] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        port = self._server.server_address[1]
        self.issuer = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-oidc-provider", daemon=True
        )

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> FakeIdentityProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeIdentityProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what the tests set and read -----------------------------------------------

    def sign_in_as(
        self,
        email: str | None,
        *,
        sub: str | None = None,
        email_verified: bool = True,
        name: str = "",
    ) -> Identity:
        """The identity the next visit to /authorize authenticates."""
        self.identity = Identity(
            sub=sub or f"sub-{secrets.token_hex(6)}",
            email=email,
            email_verified=email_verified,
            name=name,
        )
        return self.identity

    def calls(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {
            **grant.identity.claims(),
            "iss": self.issuer,
            "aud": grant.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_LIFETIME,
            "jti": secrets.token_hex(12),
        }
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    # -- endpoints (called from the server thread) ---------------------------------

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        redirect_uri = params.get("redirect_uri", "")
        if params.get("client_id") != self.client_id:
            return 400, {}, {"error": "invalid_client"}
        if not redirect_uri or (
            self.redirect_uris is not None and redirect_uri not in self.redirect_uris
        ):
            return 400, {}, {"error": "invalid_request", "error_description": "redirect_uri"}
        answer: dict[str, str] = {}
        if params.get("state"):
            answer["state"] = params["state"]
        scopes = params.get("scope", "").split()
        if params.get("response_type") != "code" or "openid" not in scopes:
            answer["error"] = "invalid_request"
        elif self.identity is None:
            answer["error"] = "access_denied"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._grants[code] = _Grant(
                    identity=self.identity,
                    client_id=params["client_id"],
                    redirect_uri=redirect_uri,
                    nonce=params.get("nonce"),
                    code_challenge=params.get("code_challenge"),
                    code_challenge_method=params.get("code_challenge_method"),
                )
            answer["code"] = code
        separator = "&" if urlsplit(redirect_uri).query else "?"
        return 302, {"Location": f"{redirect_uri}{separator}{urlencode(answer)}"}, None

    def token(self, params: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        client_id, client_secret = params.get("client_id"), params.get("client_secret")
        basic = headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            decoded = base64.b64decode(basic[6:]).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if params.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(params.get("code", ""), None)  # single use
        if grant is None or grant.redirect_uri != params.get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        if grant.code_challenge:
            verifier = params.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if grant.code_challenge_method != "S256" or expected != grant.code_challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._access_tokens[access_token] = grant.identity
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "scope": "openid profile email",
            "id_token": self.id_token(grant),
        }

    def userinfo(self, headers: dict[str, str]) -> tuple[int, Any]:
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        with self._lock:
            identity = self._access_tokens.get(token)
        if identity is None:
            return 401, {"error": "invalid_token"}
        return 200, identity.claims()


def _handler_for(idp: FakeIdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _record(self, params: dict[str, str]) -> dict[str, str]:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with idp._lock:
                idp.requests.append(
                    Recorded(self.command, self.path.split("?")[0], params, headers)
                )
            return headers

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            headers = self._record(params)
            if url.path == "/.well-known/openid-configuration":
                self._send(200, idp.discovery())
            elif url.path == "/jwks":
                self._send(200, idp.jwks())
            elif url.path == "/authorize":
                status, extra, body = idp.authorize(params)
                self._send(status, body, extra)
            elif url.path == "/userinfo":
                self._send(*idp.userinfo(headers))
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            params = {k: v[0] for k, v in form.items()}
            headers = self._record(params)
            if url.path == "/token":
                self._send(*idp.token(params, headers))
            elif url.path == "/userinfo":
                self._send(*idp.userinfo(headers))
            else:
                self._send(404, {"error": "not_found"})

    return Handler
