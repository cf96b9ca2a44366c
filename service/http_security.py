"""What every answer carries and how much a request may send: set here once, for every page.

Each page, file, API answer, redirect and error gets the same headers: a Content-Security-
Policy that runs only the service's own scripts and styles (inline ones need this request's
nonce) and lets no other site frame it, `nosniff`, `X-Frame-Options` for older browsers, and
HSTS when the service is served over HTTPS. A request body over the limit gets 413 before
it is read: a kiosk's or public page's JSON API takes a few kilobytes, the rest a megabyte.
"""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, abort, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

# The JSON APIs the kiosk's and the public pages' scripts post to: small bodies only.
API_PATH = re.compile(r"^/(?:kiosk|o)/[^/]+/api/")
HSTS = "max-age=31536000"


def csp_nonce() -> str:
    """The request's nonce, for a template's inline <style> or <script> (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None) -> str:
    """The policy for one answer: only our own origin, plus inline blocks carrying the nonce."""
    inline = f" 'nonce-{nonce}'" if nonce else ""
    return (
        f"default-src 'self'; img-src 'self' data:; style-src 'self'{inline}; "
        f"script-src 'self'{inline}; object-src 'none'; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    )


def register(app: Flask) -> None:
    """Install the body limits and the headers on an app (before any other hook reads a body)."""
    config = app.config["FRONTLINE"]
    https = config.PUBLIC_URL.startswith("https://")
    app.config["MAX_CONTENT_LENGTH"] = config.MAX_REQUEST_BYTES
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    def limit_body() -> None:
        # Checked on the declared length before any handler runs, so an endpoint that never
        # reads its body refuses it too; a chunked body is cut off by the same limit as read.
        if API_PATH.match(request.path):
            request.max_content_length = config.MAX_API_REQUEST_BYTES
        limit = request.max_content_length
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)

    def too_large(error: RequestEntityTooLarge) -> Response | RequestEntityTooLarge:
        if API_PATH.match(request.path):
            # The scripts read JSON; nobody typing into the kiosk can reach this limit.
            response = jsonify(error="request too large")
            response.status_code = 413
            return response
        return error

    # Most answers (every webhook's TwiML, files, redirects) have no inline block: one string.
    without_nonce = content_security_policy(None)
    # In the order harden sets them; an answer that has none of them yet (nearly every one)
    # gets them added at once, where setting each looked for it among the others first.
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        *([("Strict-Transport-Security", HSTS)] if https else []),
    ]
    names = frozenset(name.lower() for name in ("Content-Security-Policy", *dict(fixed)))

    def harden(response: Response) -> Response:
        headers = response.headers
        nonce = g.get("csp_nonce")
        policy = content_security_policy(nonce) if nonce else without_nonce
        if names.isdisjoint(name.lower() for name, _value in headers):
            headers.extend([("Content-Security-Policy", policy), *fixed])
            return response
        headers["Content-Security-Policy"] = policy
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("Referrer-Policy", "same-origin")
        if https:
            headers["Strict-Transport-Security"] = HSTS
        return response

    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)
    app.register_error_handler(RequestEntityTooLarge, too_large)
    app.after_request(harden)
