"""The glossary (locales/<lang>/glossary.toml) holds: screens, texts and the phone use its words.

For every language, the word a screen or a poster shows for groups, support, events, joining and
speaking up is in the catalogs, works as a text sent through the signed webhook, and is heard
on the phone line. The speak-up guardian is named by the glossary's term, never by a word that
reads as a parent, a carer or a manager, and never as a man.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service import languages
from service.demo.translations import TRANSLATIONS
from service.keywords import fold, parse, speak_up, tokens
from service.languages import TYPEABLE
from service.messaging.glossary import IDEAS, SHOWN, glossary
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES, SPEAK_UP
from service.speakup.sms import recognise
from service.voice.engine import key_for_speech
from service.voice.flows import load_flow
from service.voice.prompts import PROMPTS
from service.voice.speaking import voices
from tests.support.sms import Handset
from tests.support.voice import Caller

ROOT = Path(__file__).resolve().parent.parent
OTHERS = [code for code in languages.CODES if code != "en"]
# The catalog messages that label each shown idea on the kiosk, the public pages and the posters.
LABELS = {
    "network": ["Networks", "Your groups", "Groups you can join", "Smaller groups inside it"],
    "support": ["Support", "Get support"],
    # The public network page's heading and the poster's phone menu name events too.
    "events": ["What's on", "Coming up", "This week's events"],
    "join": ["Join"],
    "speak_up": ["Speak up"],
}
# Where each idea is on the phone's menus: (node, key).
ON_THE_PHONE = {
    "network": ("main", "1"),
    "events": ("main", "2"),
    "support": ("main", "3"),
    "speak_up": ("main", "6"),
    "case_code": ("main", "6"),  # the speak-up menu says how a case is followed
    "join": ("network", "1"),
    "leave": ("my_group", "1"),
}
# "This same number" and its kin, in each language: beside "we do not keep your number", it
# reads as if the case were tied to the texter's number.
THIS_NUMBER = {
    "en": ["this number", "same number", "from this phone"],
    "pl": ["ten sam numer", "tego numeru", "ten numer", "tego samego numeru"],
    "ro": ["același număr", "acest număr", "acelasi numar"],
    "ur": ["اسی نمبر", "اس نمبر"],
    "pa": ["ਇਸੇ ਨੰਬਰ", "ਇਸ ਨੰਬਰ"],
    "gu": ["આ જ નંબર", "આ નંબર"],
    "so": ["lambarkan", "isla kan"],
}


def catalog(code: str) -> dict[str, str]:
    """msgid -> translation for a language; English maps each message to itself."""
    with (ROOT / "locales" / "messages.pot").open("rb") as handle:
        ids = [m.id for m in read_po(handle) if m.id and isinstance(m.id, str)]
    if code == "en":
        return {i: i for i in ids}
    with (ROOT / "locales" / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        po = read_po(handle, locale=code)
    return {i: po.get(i).string for i in ids if po.get(i) is not None}


def words_of(text: str) -> tuple[str, ...]:
    """Text as the parser reads it: folded, split into words."""
    return tuple(tokens(fold(text)))


def contains(text: str, phrase: str) -> bool:
    """Whether text holds phrase as whole words."""
    have, want = words_of(text), words_of(phrase)
    return any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1))


def understood(text: str) -> str | None:
    """The command a text runs: a speak-up word first, as the webhook reads it, else a command."""
    found = speak_up(text)
    if found is not None:
        return found.kind
    kind = parse(text, []).kind
    return None if kind in {"unknown", "about", "empty"} else kind


@pytest.mark.parametrize("code", languages.CODES)
def test_every_idea_has_a_word_and_its_keyword_runs_its_command(code: str) -> None:
    terms = glossary(code).terms
    assert set(terms) == set(IDEAS)
    for idea, command in IDEAS.items():
        term = terms[idea]
        assert term.word.strip(), (code, idea)
        if command is None:
            continue
        assert understood(term.keyword) == command, (code, idea, term.keyword)
        if idea in SHOWN:
            # The label itself, typed as seen, is the keyword too.
            assert understood(term.word) == command, (code, idea, term.word)


@pytest.mark.parametrize("code", languages.CODES)
def test_replies_show_the_glossary_keyword_where_phones_can_type_it(code: str) -> None:
    if code not in TYPEABLE:
        pytest.skip("replies show the English keyword: many phones cannot type this script")
    for idea, command in IDEAS.items():
        if command is None:
            continue
        table = SPEAK_UP if command in SPEAK_UP else COMMANDS
        shown = table[command][code][0]
        assert words_of(shown) == words_of(glossary(code).terms[idea].keyword), (code, idea)


@pytest.mark.parametrize("code", sorted(TYPEABLE - {"en"}))
def test_texts_in_languages_phones_can_type_name_their_own_keywords(code: str) -> None:
    # HELP, CASE and SPEAKUP work in every language, but a Polish text says POMOC, SPRAWA, ZGŁOŚ.
    english = re.compile(r"\b(HELP|CASE|SPEAKUP)\b")
    for msgid, text in catalog(code).items():
        assert not english.search(text), (code, msgid, text)


@pytest.mark.parametrize("code", languages.CODES)
def test_screens_and_posters_label_each_idea_with_the_glossary_word(code: str) -> None:
    messages = catalog(code)
    for idea, msgids in LABELS.items():
        term = glossary(code).terms[idea]
        for msgid in msgids:
            shown = messages[msgid]
            assert any(contains(shown, w) for w in (term.word, *term.forms)), (code, msgid, shown)
            for avoided in term.avoid:
                assert not contains(shown, avoided), (code, msgid, avoided)


@pytest.mark.parametrize("code", OTHERS)
def test_demo_names_and_titles_call_a_network_by_the_glossary_word(code: str) -> None:
    term = glossary(code).terms["network"]
    named = [
        text
        for key, fields in TRANSLATIONS[code].items()
        for field, text in fields.items()
        if field in {"name", "title"} and not key.startswith("support:")
    ]
    assert len(named) >= 10
    for text in named:
        for avoided in term.avoid:
            assert not contains(text, avoided), (code, avoided, text)
    if term.avoid:
        assert any(contains(t, w) for t in named for w in (term.word, *term.forms)), code


@pytest.mark.parametrize("code", OTHERS)
def test_no_demo_text_calls_a_network_by_a_word_the_glossary_avoids(code: str) -> None:
    # Descriptions too, inflected or not ("Sieci Opiekunów", "નેટવર્કનો"): every field a screen,
    # a poster, a text or the phone line reads out.
    avoided = [w.casefold() for w in glossary(code).terms["network"].avoid]
    assert avoided, code
    for key, fields in TRANSLATIONS[code].items():
        for field, text in fields.items():
            found = [w for w in avoided if w in text.casefold()]
            assert not found, (code, key, field, found, text)


@pytest.mark.parametrize("code", OTHERS)
def test_the_guardian_is_named_by_the_glossary_term_and_never_as_a_man(code: str) -> None:
    term = glossary(code).terms["guardian"]
    names = (term.word, *term.forms)
    about_the_guardian = {
        msgid: text for msgid, text in catalog(code).items() if "guardian" in msgid.casefold()
    }
    assert len(about_the_guardian) >= 15
    for msgid, text in about_the_guardian.items():
        folded = text.casefold()
        assert any(n.casefold() in folded for n in names), (code, msgid, text)
        for avoided in term.avoid:
            assert avoided.casefold() not in folded, (code, avoided, text)
        for masculine in term.masculine:
            assert masculine.casefold() not in folded, (code, masculine, text)


@pytest.mark.parametrize("code", languages.CODES)
def test_no_speak_up_text_ties_the_case_to_this_number(code: str) -> None:
    messages = catalog(code)
    speak_up_texts = [
        text
        for msgid, text in messages.items()
        if re.search(
            r"guardian|\bCASE\b|case code|speak up|concern|keep your number|kept with your number",
            msgid,
            re.I,
        )
    ]
    assert len(speak_up_texts) >= 20
    for text in speak_up_texts:
        for phrase in THIS_NUMBER[code]:
            assert phrase.casefold() not in text.casefold(), (code, phrase, text)


@pytest.mark.parametrize("code", languages.CODES)
def test_the_explanation_of_the_guardian_is_where_speak_up_starts(client, demo, code) -> None:
    explained = catalog(code)[
        "The speak-up guardian is someone the organisation has chosen to hear concerns in "
        "confidence. They are not your manager."
    ]
    term = glossary(code).terms["guardian"]
    assert any(n.casefold() in explained.casefold() for n in (term.word, *term.forms))
    # The kiosk's speak-up page and the public page say it in the language chosen.
    kiosk = client.get(f"/kiosk/eastfield-depot/speak-up?lang={code}").get_data(as_text=True)
    public = client.get(f"/?lang={code}").get_data(as_text=True)
    for page in (kiosk, public):
        assert explained in html.unescape(page), code
    # The kiosk's page says the number is not kept: nothing on it ties the case to a number.
    for phrase in THIS_NUMBER[code]:
        assert phrase.casefold() not in html.unescape(kiosk).casefold(), (code, phrase)
    # So does the phone line's speak-up menu.
    menu = catalog(code)[str(PROMPTS["speakup_menu"]._args[0])]
    assert any(n.casefold() in menu.casefold() for n in (term.word, *term.forms))


def _handset(client, code: str, n: int) -> Handset:
    handset = Handset(client, f"+4474005{languages.CODES.index(code)}{n:04d}")
    handset.send(LANGUAGE_NAMES[code][0])
    return handset


def _reply(client, code: str, n: int, body: str) -> list[str]:
    """What a member in that language gets back for body (a fresh phone, language chosen)."""
    return _handset(client, code, n).send(body).texts


@pytest.fixture
def config(config):
    """Many texts from a few numbers: lift the per-number limit."""
    return config.replace(SMS_RATE_LIMIT=1000)


@pytest.mark.parametrize("code", languages.CODES)
def test_each_word_texted_does_what_the_english_keyword_does(client, demo, code) -> None:
    english = {
        "network": "NETWORKS",
        "support": "TALK",
        "events": "EVENTS",
        "join": "JOIN CAREERS",
        "speak_up": "SPEAKUP",
        "call_back": "CALL ME",
        "help": "HELP",
        "case_code": "CASE 7KQ2-M9XD-4HTB-WR3P",
    }
    number = iter(range(1, 1000))
    for idea, expected_body in english.items():
        term = glossary(code).terms[idea]
        suffix = expected_body.partition(" ")[2] if idea in {"join", "case_code"} else ""
        expected = _reply(client, code, next(number), expected_body)
        assert expected and "did not understand" not in " ".join(expected)
        for said in {term.keyword, term.word} if idea in SHOWN else {term.keyword}:
            body = f"{said} {suffix}".strip()
            wanted = expected
            found = recognise(body) if idea in {"speak_up", "case_code"} else None
            if found is not None and found.language is not None:
                # Speak-up looks up no contact: it answers in the language of the word.
                wanted = [catalog(found.language)[text] for text in expected]
            assert _reply(client, code, next(number), body) == wanted, (code, idea, body)
    # LEAVE in the glossary's word leaves, as LEAVE does.
    member = _handset(client, code, 999)
    member.send("JOIN CAREERS")
    left = member.send(f"{glossary(code).terms['leave'].keyword} CAREERS").texts
    again = _handset(client, code, 998)
    again.send("JOIN CAREERS")
    assert left == again.send("LEAVE CAREERS").texts


@pytest.mark.parametrize("code", languages.CODES)
def test_the_phone_line_hears_each_word_at_its_menu(code: str) -> None:
    flow = load_flow(ROOT / "ivr_flows" / "main.yaml", PROMPTS)
    terms = glossary(code).terms
    for idea, (node, key) in ON_THE_PHONE.items():
        for said in {terms[idea].word, terms[idea].keyword}:
            heard = key_for_speech(flow.node(node), code, said.lower())
            assert heard == key, (code, idea, said, heard)


@pytest.mark.parametrize("code", languages.CODES)
def test_the_phone_line_hears_the_survey_label_while_a_survey_is_open(code: str) -> None:
    main = load_flow(ROOT / "ivr_flows" / "main.yaml", PROMPTS).node("main")
    said = glossary(code).terms["survey"].word
    assert said == catalog(code)["Have your say"], code  # the kiosk's and the page's label
    assert key_for_speech(main, code, said.lower(), main.options) == "7", (code, said)


@pytest.mark.parametrize("code", languages.CODES)
def test_the_speak_up_menu_hears_yes_and_says_how_to_follow_a_case(code: str) -> None:
    speakup = load_flow(ROOT / "ivr_flows" / "main.yaml", PROMPTS).node("speakup")
    yes = COMMANDS["yes"][code][0]
    assert key_for_speech(speakup, code, yes.lower()) == "1", (code, yes)
    menu = catalog(code)[str(PROMPTS["speakup_menu"]._args[0])]
    shown = glossary(code).terms["case_code"].keyword if code in TYPEABLE else "CASE"
    assert shown in menu, (code, menu)


@pytest.mark.parametrize(
    ("code", "heard"),
    [("ur", "شكايت"), ("ur", "آواز اٹھائيں"), ("pa", "ਆਵਾਜ ਉਠਾਓ"), ("pa", "ਸਿਕਾਇਤ")],
)
def test_speech_written_with_keyboard_variants_is_still_heard(code: str, heard: str) -> None:
    main = load_flow(ROOT / "ivr_flows" / "main.yaml", PROMPTS).node("main")
    assert key_for_speech(main, code, heard) == "6", heard


@pytest.mark.parametrize("code", languages.CODES)
def test_a_caller_who_says_the_speak_up_word_reaches_speak_up(client, demo, code) -> None:
    if not voices()[code].get("voice"):
        pytest.skip("no voice yet: the line offers the languages that work (Somali: recordings)")
    call = Caller(client, f"+4474006{languages.CODES.index(code)}0001")
    call.dial_in()
    call.press(str(languages.CODES.index(code) + 1))
    gather = call.gather()
    if voices()[code].get("speech"):
        # Recognition is told to listen for the glossary's words.
        for idea in ("network", "events", "support", "speak_up"):
            word = fold(glossary(code).terms[idea].word)
            hints = gather.get("hints").split(", ")
            assert any(fold(h) in word for h in hints), (code, idea, hints)
    call.say_words(glossary(code).terms["speak_up"].word)
    assert catalog(code)[str(PROMPTS["speakup_menu"]._args[0])][:20] in call.spoken(), call.xml


# The speak-up texts, answered in the organisation's language: each within two segments.
SPEAK_UP_TEXTS = (
    "Thank you. Only the speak-up guardian reads this. Your case code is %(code)s. Keep it safe: "
    "text CASE %(code)s to read replies or add more.",
    "To raise a concern without giving your name, text SPEAKUP and then the concern in your own "
    "words. Only the speak-up guardian reads it.",
    "The speak-up guardian is someone the organisation has chosen to hear concerns in "
    "confidence. They are not your manager.",
    "The guardian has closed this case. Text CASE, your code and more to reopen it.",
    "Added to your case. The guardian will read it.",
    "No reply yet. Text CASE and your code again in a few days.",
    "Text CASE and your case code, for example CASE 7KQ2-M9XD-4HTB-WR3P.",
    "We already have this message. If no code came back, text SPEAKUP again.",
)


@pytest.mark.parametrize("code", languages.CODES)
def test_the_speak_up_texts_fit_in_two_segments_in_every_language(code: str) -> None:
    messages = catalog(code)
    for msgid in SPEAK_UP_TEXTS:
        text = messages[msgid] % {"code": "7KQ2-M9XD-4HTB-WR3P"}
        assert count(text).segments <= 2, (code, text)


@pytest.mark.parametrize("code", languages.CODES)
def test_each_call_back_form_is_a_call_back_text(code: str) -> None:
    # The kiosk's call-back button may use another form of the word (Punjabi ਫ਼ੋਨ, not ਕਾਲ).
    term = glossary(code).terms["call_back"]
    for said in (term.word, term.keyword, *term.forms):
        assert understood(said) == "call_me", (code, said)
        assert understood(f"ਮੈਨੂੰ {said}" if code == "pa" else said) == "call_me", (code, said)


def test_words_typed_in_latin_letters_by_several_languages_name_none_of_them() -> None:
    # MADAD and PROGRAM are Urdu, Punjabi and Gujarati alike: they must not switch the language.
    for body, command in (("MADAD", "talk"), ("PROGRAM", "events")):
        parsed = parse(body, [])
        assert (parsed.kind, parsed.said_in) == (command, None), body
