"""The service's Flask class: Twilio's webhooks skip the request hooks only a browser needs.

Flask runs every before- and after-request hook on every request, and asks of each, every
time, whether it is a coroutine function. A webhook needs the body limit, its request id,
timing and log line, its language chosen afresh and its security headers; it has no cookie
session (service.web_session). Two extensions' hooks are there for browsers alone: CSRF's
check protects what a session's cookie would authorise, and a webhook has none to ride on
(its blueprints are exempt besides); the remember-me cookie is refreshed from the session, and
a webhook's is the null one. For a webhook they did nothing but cost every text and call step
their calls. Every other request runs Flask's own hooks exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import chain
from typing import Any

from flask import Flask, Response, request
from flask.globals import request_ctx
from sqlalchemy import exc as sa_exc

from service.db import discard_session
from service.outage import is_conflict
from service.web_session import is_webhook

log = logging.getLogger(__name__)

Hooks = tuple[tuple[Callable[[], Any], ...], tuple[Callable[[Response], Response], ...]]


class Frontline(Flask):
    """Flask, with the hooks marked for browsers only left out of Twilio's webhooks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._for_browsers: set[Callable[..., Any]] = set()
        # By blueprint: the webhook's before and after hooks, made sync, in Flask's order;
        # None where a URL value preprocessor applies (Flask's own path runs those).
        self._webhook_hooks: dict[str | None, Hooks | None] = {}

    @contextmanager
    def hooks_for_browsers(self) -> Iterator[None]:
        """The app-wide request hooks added inside the block are skipped for webhooks."""
        before = set(self.before_request_funcs.get(None, ()))
        after = set(self.after_request_funcs.get(None, ()))
        yield
        self._for_browsers.update(
            hook for hook in self.before_request_funcs.get(None, ()) if hook not in before
        )
        self._for_browsers.update(
            hook for hook in self.after_request_funcs.get(None, ()) if hook not in after
        )
        self._webhook_hooks.clear()

    def _hooks_for_webhook(self) -> Hooks | None:
        blueprint = request.blueprint
        if blueprint in self._webhook_hooks:
            return self._webhook_hooks[blueprint]
        names = (None, *reversed(request.blueprints))
        hooks: Hooks | None = None
        if not any(name in self.url_value_preprocessors for name in names):
            before = tuple(
                self.ensure_sync(hook)
                for name in names
                for hook in self.before_request_funcs.get(name, ())
                if hook not in self._for_browsers
            )
            after = tuple(
                self.ensure_sync(hook)
                for name in chain(request.blueprints, (None,))
                for hook in reversed(self.after_request_funcs.get(name, ()))
                if hook not in self._for_browsers
            )
            hooks = (before, after)
        self._webhook_hooks[blueprint] = hooks
        return hooks

    def dispatch_request(self) -> Any:
        """Flask's; a webhook whose transaction a conflict rolled back is answered once more.

        Twilio does not send a text's webhook again after an error: a deadlock with another
        request (a network deleted as its member texts) would leave the text unanswered. Each
        webhook commits once, after everything it reads and writes, and hands work on only
        after that commit, so a rolled-back attempt left nothing, and its MessageSid or
        CallSid is still unclaimed: the second attempt is the first that counts.
        """
        try:
            return super().dispatch_request()
        except sa_exc.DBAPIError as error:
            if not (is_webhook(request) and is_conflict(error)):
                raise
            cause = type(error.orig).__name__
            log.warning(
                "webhook %s: rolled back by a conflict (%s), run again", request.path, cause
            )
            discard_session()
            return super().dispatch_request()

    def preprocess_request(self) -> Any:
        """Flask's, less the browsers' hooks for a webhook."""
        hooks = self._hooks_for_webhook() if is_webhook(request) else None
        if hooks is None:
            return super().preprocess_request()
        for hook in hooks[0]:
            answer = hook()
            if answer is not None:
                return answer
        return None

    def process_response(self, response: Response) -> Response:
        """Flask's, less the browsers' hooks for a webhook."""
        ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
        hooks = self._hooks_for_webhook() if is_webhook(request) else None
        if hooks is None or ctx._after_request_functions:
            return super().process_response(response)
        for hook in hooks[1]:
            response = hook(response)
        if not self.session_interface.is_null_session(ctx._session):
            self.session_interface.save_session(self, ctx._session, response)
        return response
