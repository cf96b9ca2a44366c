"""Speaking on the phone line: text in the caller's voice, or recorded prompts where it has none."""

from __future__ import annotations

from functools import cache

import yaml
from flask_babel import force_locale
from twilio.twiml.voice_response import Gather, VoiceResponse

from service import languages
from service.config import Config
from service.voice.flows import FLOWS_DIR
from service.voice.prompts import PROMPTS


@cache
def voices() -> dict[str, dict[str, str]]:
    """Language -> voice settings, from ivr_flows/config/voices.yaml."""
    data = yaml.safe_load((FLOWS_DIR / "config" / "voices.yaml").read_text(encoding="utf-8"))
    return {code: dict(data.get(code) or {}) for code in languages.CODES}


def spoken_language(lang: str) -> str:
    """The language text is spoken in: the caller's where Twilio has a voice, else English."""
    return lang if voices()[lang].get("voice") else "en"


class Speaker:
    """One TwiML answer being built: queued speech and catalogue prompts, in one language."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.response = VoiceResponse()
        # What the caller is about to hear; spoken inside the next <Gather> when there is one,
        # so a caller who knows the number can press it without waiting for the whole list.
        self.pending: list[tuple[str | None, str]] = []  # None: a one-second pause

    def say(self, text: str, lang: str) -> None:
        """Queue text to speak in the language's voice (English voice where it has none)."""
        self.pending.append((text, lang))

    def pause(self) -> None:
        """Queue a one-second pause, so one part of a description does not run into the next."""
        self.pending.append((None, "en"))

    def _speak_pending(self, target: Gather | VoiceResponse) -> None:
        for text, lang in self.pending:
            if text is None:
                target.pause(length=1)
                continue
            settings = voices()[spoken_language(lang)]
            target.say(text, voice=settings["voice"], language=settings["language"])
        self.pending.clear()

    def _flush(self) -> VoiceResponse:
        """The response, with anything still queued spoken first (before a Dial, a Hangup)."""
        self._speak_pending(self.response)
        return self.response

    def prompt(self, prompt_id: str, lang: str, target: Gather | VoiceResponse) -> None:
        """A prompt from the catalogue: spoken, or played from a recording where no voice."""
        settings = voices()[lang]
        if settings.get("voice"):
            with force_locale(lang):
                target.say(
                    str(PROMPTS[prompt_id]), voice=settings["voice"], language=settings["language"]
                )
        elif self.config.VOICE_RECORDINGS_URL:
            target.play(f"{self.config.VOICE_RECORDINGS_URL.rstrip('/')}/{lang}/{prompt_id}.mp3")
        else:
            english = voices()["en"]
            with force_locale("en"):
                target.say(
                    str(PROMPTS[prompt_id]), voice=english["voice"], language=english["language"]
                )
