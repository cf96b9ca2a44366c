"""Free-text answers said on the phone: their audio, kept encrypted and tied to no call.

The phone line makes an empty recording row when Twilio sends the recording, and a queued task
copies the audio in (service.tasks.keep_survey_recording) and then deletes the recording and
the call's record at Twilio. Nothing here ever holds a call or recording SID or a number.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.crypto import vault_of
from service.surveys.models import Survey, SurveyRecording
from service.surveys.operations import new_id

# Far longer than the line records (two minutes of MP3 are about 2 MB).
MAX_AUDIO_BYTES = 8 * 1024 * 1024


def new_recording(session: Session, survey: Survey) -> str:
    """A recording for an answer, its audio still to come; its random id."""
    recording = SurveyRecording(id=new_id(), survey_id=survey.id)
    session.add(recording)
    session.flush()
    return recording.id


def wants_audio(session: Session, recording_id: str) -> bool:
    """Whether the recording still waits for its audio (not copied yet, nor dropped)."""
    recording = session.get(SurveyRecording, recording_id)
    return recording is not None and recording.audio_encrypted is None


def store_audio(session: Session, recording_id: str, audio: bytes, content_type: str) -> bool:
    """Keep a recording's audio, encrypted; False when the answer was dropped meanwhile."""
    recording = session.get(SurveyRecording, recording_id)
    if recording is None:
        return False
    recording.audio_encrypted = vault_of(session).encrypt_bytes(audio[:MAX_AUDIO_BYTES])
    recording.audio_type = content_type[:40]
    session.flush()
    return True
