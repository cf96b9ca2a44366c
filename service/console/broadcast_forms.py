"""The compose form of a broadcast: the English text, its translations, who gets it, when."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from service import languages
from service.console.content_forms import LOCAL_TIME

AUDIENCE_CHOICES = {
    "networks": "Members of networks",
    "organisation": "Everyone in the organisation",
    "site": "Everyone at a site",
}


class BroadcastForm(FlaskForm):
    """Compose a broadcast."""

    body = TextAreaField("Message in English", validators=[DataRequired(), Length(max=1600)])
    audience = RadioField("Who gets it", default="networks")
    networks = SelectMultipleField(
        "Networks",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    # Checked by create_broadcast, and only when the audience is a site: leads never see it.
    site = SelectField("Site", coerce=int, default=0, validate_choice=False)
    urgent = BooleanField("Urgent: send even in quiet hours (21:00–08:00)")
    scheduled_for = DateTimeLocalField(
        "Send at (leave empty to send when you confirm)", format=LOCAL_TIME, validators=[Optional()]
    )


def translation_field_name(language: str) -> str:
    """The form field holding the message in one language."""
    return f"body_{language}"


for _language in languages.LANGUAGES[1:]:
    setattr(
        BroadcastForm,
        translation_field_name(_language.code),
        TextAreaField(
            f"In {_language.english_name} ({_language.own_name})",
            description="Leave empty to send the English.",
            validators=[Length(max=1600)],
        ),
    )


class ActionForm(FlaskForm):
    """Send, schedule, cancel or discard: a post with its CSRF token."""
