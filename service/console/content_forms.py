"""Forms for editing content: networks, events, support lines and announcements."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    ColorField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from service import languages
from service.content.recurrence import WEEKDAYS

DAY_NAMES = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
# What a datetime-local input sends and accepts; WTForms' default (with a space) is refused by
# browsers, which would show an edited announcement's time as empty.
LOCAL_TIME = "%Y-%m-%dT%H:%M"
NTH_NAMES = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class NetworkForm(FlaskForm):
    """A network's English text, sensitivity and keywords (one box per language)."""

    slug = StringField(
        "Web address name",
        description="Lower-case letters, digits and hyphens; it cannot change later.",
        validators=[Optional(), Length(max=64)],
    )
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    short_description = StringField(
        "Short description", validators=[DataRequired(), Length(max=300)]
    )
    long_description = TextAreaField("Long description", validators=[Length(max=5000)])
    sensitive = BooleanField("Membership is sensitive (health, disability, identity…)")
    discreet_name = StringField(
        "Discreet name",
        description="Used in texts to members who asked for discretion: \u201cTuesday group\u201d.",
        validators=[Length(max=200)],
    )
    colour = ColorField(
        "Poster colour",
        description="The band across this network's posters. Its text is white or black, "
        "whichever reads better; a colour too mid-toned to read in colour and printed in grey "
        "is refused.",
        validators=[Optional()],
    )


def keyword_field_name(language: str) -> str:
    """The form field that holds one language's keywords."""
    return f"keywords_{language}"


# One keywords box per language, added to the class so flask-wtf binds and validates them.
for _language in languages.LANGUAGES:
    setattr(
        NetworkForm,
        keyword_field_name(_language.code),
        StringField(
            f"Keywords in {_language.english_name}",
            description="Words people text, separated by spaces or commas.",
            validators=[Length(max=200)],
        ),
    )


class EventForm(FlaskForm):
    """An event: what, where, when, and how it repeats."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    network = SelectField("Network", coerce=int)
    site = SelectField("Site", coerce=int)
    place = StringField("Place", validators=[Length(max=300)])
    date = DateField("First date", validators=[DataRequired()])
    start = TimeField("Starts", validators=[DataRequired()])
    end = TimeField("Ends", validators=[DataRequired()])
    repeat = RadioField(
        "Repeats",
        choices=[
            SelectChoice("once", "Does not repeat"),
            SelectChoice("weekly", "Weekly"),
            SelectChoice("monthly", "Monthly"),
        ],
        default="once",
    )
    days = SelectMultipleField(
        "On",
        choices=[SelectChoice(code, name) for code, name in DAY_NAMES.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    interval = SelectField(
        "How often",
        coerce=int,
        choices=[SelectChoice(1, "Every week"), SelectChoice(2, "Every other week")],
        default=1,
    )
    nth = SelectField(
        "Which",
        coerce=int,
        choices=[SelectChoice(n, name) for n, name in NTH_NAMES.items()],
        default=1,
    )
    weekday = SelectField(
        "Day", choices=[SelectChoice(code, name) for code, name in DAY_NAMES.items()]
    )
    until = DateField("Until (optional)", validators=[Optional()])
    dial_in_number = StringField("Dial-in number", validators=[Length(max=30)])
    dial_in_pin = StringField("Dial-in PIN", validators=[Length(max=20)])
    # "Capacity", not "Places": beside "Place" (where it is), leads read "Places" as venues.
    capacity = IntegerField(
        "Capacity (optional)",
        description="How many people can come; leave empty for no limit.",
        validators=[Optional(), NumberRange(min=1)],
    )
    description = TextAreaField("Description", validators=[Length(max=5000)])


class SupportLineForm(FlaskForm):
    """A support line."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    phone = StringField("Number", validators=[DataRequired(), Length(max=30)])
    hours = StringField("Hours", validators=[Length(max=200)])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    crisis = BooleanField("Crisis line (always listed first)")
    always_open = BooleanField("Open 24 hours")
    position = IntegerField("Order", default=0, validators=[Optional()])


class AnnouncementForm(FlaskForm):
    """An announcement and the window it is live in."""

    body = TextAreaField("Announcement", validators=[DataRequired(), Length(max=1600)])
    network = SelectField("For", coerce=int)
    publish_from = DateTimeLocalField("Show from", format=LOCAL_TIME, validators=[DataRequired()])
    publish_until = DateTimeLocalField(
        "Show until (optional)", format=LOCAL_TIME, validators=[Optional()]
    )


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: delete, and the translation pages."""


class SkipDateForm(FlaskForm):
    """One date of a repeating event to skip, or to put back."""

    day = DateField("Date", validators=[DataRequired()])
