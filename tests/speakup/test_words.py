"""SPEAKUP and CASE in every language's own words, as people type them (issue 22 item 4).

Keyboard variants (Urdu on an Arabic keyboard, Gurmukhi and Gujarati without the nukta), the
glossary's words spelt in Latin letters, and a case code typed with native digits all reach
speak-up; the reply comes in the language of the word, and says who the guardian is.
"""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from service.speakup.sms import recognise
from tests.support.sms import Handset
from tests.support.speakup import CONCERN, code_in
from tests.test_glossary import catalog

CODE = "7KQ2-M9XD-4HTB-WR3P"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # Urdu typed on an Arabic keyboard: ك and ي for ک and ی.
        ("شكايت: مینیجر گالیاں دیتا ہے", "speakup"),
        ("آواز اٹھائيں مینیجر گالیاں دیتا ہے", "speakup"),
        (f"كيس {CODE}", "case"),
        # Gurmukhi and Gujarati without the nukta.
        ("ਸਿਕਾਇਤ ਸੁਪਰਵਾਈਜ਼ਰ ਬਾਰੇ", "speakup"),
        ("ਆਵਾਜ ਉਠਾਓ ਸੁਪਰਵਾਈਜ਼ਰ ਬਾਰੇ", "speakup"),
        # The glossary's words in Latin letters, as people spell them.
        ("AWAZ UTHAYEN manager bura bolta hai", "speakup"),
        ("awaaz uthayen manager", "speakup"),
        ("Shikait manager", "speakup"),
        ("AVAZ UTHAO supervisor", "speakup"),
        ("Awaj uthavo supervisor", "speakup"),
        ("Faryad supervisor", "speakup"),
        (f"kais {CODE}", "case"),
        # Inflected and fuller forms in Polish, Romanian and Somali.
        ("Zgłaszam: kierownik krzyczy", "speakup"),
        ("Semnalare: șeful țipă", "speakup"),
        (f"KOD SPRAWY {CODE}", "case"),
        (f"sprawy {CODE}", "case"),
        (f"Codul cazului {CODE}", "case"),
        (f"cazul {CODE}", "case"),
        (f"ਕੇਸ ਕੋਡ {CODE}", "case"),
        (f"koodhka kiiska {CODE}", "case"),
        (f"case code {CODE}", "case"),
        # A code alone, with Urdu or Gujarati digits in it, is the same code.
        ("۷KQ۲-M۹XD-۴HTB-WR۳P", "case"),
        ("૭KQ૨-M૯XD-૪HTB-WR૩P", "case"),
    ],
)
def test_speak_up_words_as_people_type_them_reach_speak_up(body: str, kind: str) -> None:
    found = recognise(body)
    assert found is not None and found.kind == kind, body


@pytest.mark.parametrize(
    "body",
    [
        # Everyday words a letter or two from the forms added (ZGŁASZAM, FARYAD, SEMNALARE).
        "Ogłaszam: spotkanie w piątek o 18",
        "Fără zahăr la cafea, vă rog",
        "Fara mine azi",
        "Arad e departe",
        "semănare în grădină",
    ],
)
def test_everyday_words_near_a_spelling_of_a_speak_up_word_stay_ordinary(body: str) -> None:
    assert recognise(body) is None, body


@pytest.mark.parametrize("body", ["SPRAWY", "cazul meu e urgent", "KAIS", "kes"])
def test_a_case_word_without_a_code_stays_an_ordinary_text(body: str) -> None:
    assert recognise(body) is None


@pytest.fixture
def handset(client, demo) -> Handset:
    """A phone that has never texted the service."""
    return Handset(client, "+447400333444")


def _polish(msgid: str) -> str:
    with open("locales/pl/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="pl").get(msgid).string


def test_speak_up_in_one_text_says_who_the_guardian_is(handset) -> None:
    # Texting SPEAKUP and the concern at once skips the bare SPEAKUP reply: speak-up starts
    # here, so the guardian is explained here.
    texts = handset.send(f"SPEAKUP {CONCERN}").texts
    assert len(texts) == 3
    assert (
        texts[1]
        == catalog("en")[
            "The speak-up guardian is someone the organisation has chosen to hear concerns in "
            "confidence. They are not your manager."
        ]
    )


def test_a_polish_word_is_answered_in_polish_and_an_english_one_in_english(handset) -> None:
    thanks = (
        "Thank you. Only the speak-up guardian reads this. Your case code is %(code)s. Keep it "
        "safe: text CASE %(code)s to read replies or add more."
    )
    polish = handset.send(f"ZGŁOŚ {CONCERN}").texts
    code = code_in(polish)
    assert polish[0] == _polish(thanks) % {"code": code}
    assert "osoba zaufana" in polish[1].casefold()
    # The case is followed in Polish too, with the Polish word.
    followed = handset.send(f"SPRAWA {code}").texts
    assert followed == [_polish("No reply yet. Text CASE and your code again in a few days.")]
    # SPEAKUP is shown in replies of every language, so it says nothing: the organisation's.
    english = handset.send(f"SPEAKUP {CONCERN}").texts
    assert english[0] == thanks % {"code": code_in(english)}
