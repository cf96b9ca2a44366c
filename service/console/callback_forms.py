"""Forms of the call-back queue: row buttons, outcome and notes, and the lead's phone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


class CallbackActionForm(FlaskForm):
    """A button on one request (reveal, call back, mark done): it carries only its CSRF token."""


class RingPhoneForm(FlaskForm):
    """The phone the service rings first when a lead calls a member back."""

    phone = StringField(
        "Your phone number",
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


# How a call went, in the console's words (service.callbacks.operations.OUTCOMES).
OUTCOME_LABELS = {
    "reached": "Reached them",
    "no_answer": "No answer",
    "left_message": "Left a message",
    "wrong_number": "Wrong number",
    "not_needed": "No longer needed",
}


class OutcomeForm(FlaskForm):
    """How a call went: reached, wrong number and not needed close the request."""

    outcome = SelectField(
        "How did it go?",
        choices=[SelectChoice(k, v) for k, v in OUTCOME_LABELS.items()],
        validators=[DataRequired()],
    )


class NotesForm(FlaskForm):
    """The handler's notes on one request (what was said, when to try again)."""

    notes = TextAreaField("Notes", validators=[Length(max=2000)])
