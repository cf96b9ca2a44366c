"""The webhook signature check takes exactly the requests twilio's own validator takes."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from service import twilio_gateway
from tests.support.fuzz import examples
from tests.support.settings import PUBLIC_URL, TEST_AUTH_TOKEN

_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)
_FIELDS = st.lists(st.tuples(st.sampled_from(["Body", "From", "Digits", "Ä", "a b"]), _TEXT))
_URLS = st.sampled_from(
    [
        f"{PUBLIC_URL}/twilio/voice/step?s=eyJub2RlIjoibWFpbiJ9.abc&noinput=1",
        f"{PUBLIC_URL}:443/twilio/sms",
        "http://127.0.0.1:8000/twilio/voice",
    ]
)


def _accepts(url: str, form: MultiDict, signature: str) -> bool:
    # Behind a proxy (PROXY_FIX) the URL checked is the request's own, as given here.
    request = SimpleNamespace(url=url, form=form, headers={"X-Twilio-Signature": signature})
    config = SimpleNamespace(PROXY_FIX=True, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN)
    return twilio_gateway.signature_is_valid(request, config)  # type: ignore[arg-type]


@settings(max_examples=examples(100))
@given(url=_URLS, fields=_FIELDS)
def test_a_signature_is_the_librarys_and_is_taken_where_the_library_takes_it(url, fields):
    form = MultiDict(fields)
    library = RequestValidator(TEST_AUTH_TOKEN)
    assert twilio_gateway._signature(TEST_AUTH_TOKEN, url, form).decode() == (
        library.compute_signature(url, form)
    )
    # Signed for the URL as called, or with or without its port: taken as the library takes it.
    for signed in (url, url.replace(":443/", "/"), url.replace(".org/", ".org:443/")):
        signature = library.compute_signature(signed, form)
        assert _accepts(url, form, signature) is library.validate(url, form, signature) is True
    for wrong in (url + "x", url.replace("/twilio/", "/other/")):
        signature = library.compute_signature(wrong, form)
        assert _accepts(url, form, signature) is library.validate(url, form, signature) is False
    # Another key pressed: never one of the values signed (a form with Digits "" has "9").
    other = dict(form, Digits=(form.get("Digits") or "") + "9")
    assert not _accepts(url, form, library.compute_signature(url, MultiDict(other)))
