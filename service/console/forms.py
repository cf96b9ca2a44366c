"""Console forms; flask-wtf puts a CSRF token in each and refuses a post without it."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from service import languages


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    """The 6-digit code from an authenticator app."""

    code = StringField("Code", validators=[DataRequired(), Length(min=6, max=8)])


class SignOutForm(FlaskForm):
    """Signing out is a post, so a link on another site cannot do it."""


def _at_least_one(field) -> None:
    if not field.data:
        raise ValidationError("Choose at least one language.")


class PrintForm(FlaskForm):
    """Site, languages and size of a noticeboard pack."""

    site = SelectField("Site", coerce=int, validators=[DataRequired()])
    langs = SelectMultipleField(
        "Languages",
        choices=[SelectChoice(lang.code, lang.own_name) for lang in languages.LANGUAGES],
        default=["en"],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        # Not DataRequired: that marks every checkbox required, and a browser would then
        # refuse the form unless all seven languages were ticked.
        validators=[lambda _form, field: _at_least_one(field)],
    )
    size = RadioField(
        "Paper", choices=[SelectChoice("A4", "A4"), SelectChoice("A3", "A3")], default="A4"
    )
    large_print = BooleanField("Large print (18 pt)")


def _at_least_one_network(field) -> None:
    if not field.data:
        raise ValidationError("Choose at least one network.")


class PostersForm(PrintForm):
    """A posters-only print: the networks (a lead's own), then site, languages and size."""

    networks = SelectMultipleField(
        "Networks",
        coerce=int,
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[lambda _form, field: _at_least_one_network(field)],
    )
