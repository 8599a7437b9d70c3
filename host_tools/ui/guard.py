"""The local server's door (ASGI middleware around the whole app). Every HTTP request and every
WebSocket handshake must carry the access token printed in the page's URL (as Jupyter does), name
this server in its Host header (against DNS rebinding) and, when the browser sends an Origin,
come from this server's own page. Anything else is answered 403 before any route runs, so another
web page open in the same browser cannot reach the device."""
from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

TOKEN_HEADER = b"x-kinedge-token"


def cookie_name(host: str) -> str:
    """Cookies are per host, not per port: two servers on 127.0.0.1 keep theirs apart by name."""
    return "kinedge_token_" + host.rsplit(":", 1)[-1]


class Guard:
    def __init__(self, app, token: str, hosts: set[str] | None):
        """hosts: the Host header values this server answers to (None: any, for --allow-remote)."""
        self.app, self.token = app, token
        self.hosts = None if hosts is None else {h.lower() for h in hosts}

    def refusal(self, scope) -> str | None:
        """Why this request is refused, or None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        if not host or (self.hosts is not None and host not in self.hosts):
            return f"unknown host {host or '(none)'}"
        origin = headers.get("origin")
        if origin is not None and origin.lower() != f"http://{host}":
            return f"requests from {origin} are not accepted"
        given = headers.get(TOKEN_HEADER.decode()) or \
            (parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token") or [None])[0]
        if given is None and "cookie" in headers:
            morsel = SimpleCookie(headers["cookie"]).get(cookie_name(host))
            given = morsel.value if morsel else None
        if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
            return "missing or wrong access token: open the URL `kinedge ui` printed"
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        why = self.refusal(scope)
        if why is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await receive()  # websocket.connect; closing before accepting makes the server answer 403
            await send({"type": "websocket.close", "code": 1008})
            return
        body = f"403 forbidden: {why}\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
