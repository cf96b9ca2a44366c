"""Forms of the call-back queue: one CSRF-only form for each row's buttons, and the lead's phone."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
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
