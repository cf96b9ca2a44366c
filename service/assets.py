"""Static files' URLs carry a digest of their contents: a changed file gets a new URL by itself.

Nobody bumps a version by hand: browsers and the kiosk's service worker may cache a file for
as long as they like, because a new file is never served under an old URL.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, url_for


@cache
def digest(*paths: Path) -> str:
    """The first 10 hex digits of a SHA-256 over the files' contents (read once per process)."""
    combined = hashlib.sha256()
    for path in paths:
        combined.update(hashlib.sha256(path.read_bytes()).digest())
    return combined.hexdigest()[:10]


def _static_folder(endpoint: str) -> Path:
    blueprint = endpoint.rpartition(".")[0]
    owner = current_app.blueprints[blueprint] if blueprint else current_app
    assert owner.static_folder is not None, f"{endpoint} serves no static folder"
    return Path(owner.static_folder)


def static_url(endpoint: str, filename: str) -> str:
    """A static file's URL with `?v=` set to the digest of its contents."""
    return url_for(endpoint, filename=filename, v=digest(_static_folder(endpoint) / filename))
