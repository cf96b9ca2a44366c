"""Replies that depend only on the locale and their arguments are fitted once per process."""

from __future__ import annotations

from flask_babel import force_locale

from service.messaging import replies


def test_help_and_welcome_are_fitted_once_for_each_locale(app, monkeypatch) -> None:
    fitted: list[str] = []
    fit = replies.fit

    def counted(*candidates, **kwargs):
        fitted.append("fit")
        return fit(*candidates, **kwargs)

    monkeypatch.setattr(replies, "fit", counted)
    # Arguments no other test uses, so nothing is already kept for them.
    with force_locale("pl"):
        first = replies.welcome("Rada Testowa 1", "pl")
        assert replies.welcome("Rada Testowa 1", "pl") == first
    assert len(fitted) == 1
    with force_locale("ro"):
        # Another locale is another reply, fitted in its own words.
        other = replies.welcome("Rada Testowa 1", "pl")
    assert len(fitted) == 2 and other != first
    with force_locale("en"):
        assert "Rada Testowa 2" in replies.welcome("Rada Testowa 2", "en")
    assert len(fitted) == 3
