"""The prompt catalogue: the ids flows use, and their English text (translated by gettext)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROMPTS = {
    "main_menu": _l(
        "For groups, press 1. For this week's events, press 2. For support, press 3. To leave "
        "a message for a group organiser, press 4. To join a session happening now, press 5. "
        "To change language, press 9. To hear this again, press star. To end the call, press "
        "hash."
    ),
    "networks_menu": _l("Press the number of a group to hear about it. To go back, press 0."),
    "network_menu": _l(
        "To join this group, press 1. To hear its events, press 2. To leave a message for its "
        "organisers, press 3. To go back, press 0."
    ),
    "join_menu": _l("To join, press 1. To go back, press 0."),
    "events_menu": _l("Press the number of an event to hear more. To go back, press 0."),
    "event_menu": _l("To get the details by text, press 1. To go back, press 0."),
    "support_menu": _l("Press the number of a line to be connected. To go back, press 0."),
    "message_intro": _l(
        "After the tone, say your message for the group organisers. Press any key when you "
        "are done."
    ),
    "live_menu": _l("Press the number of a session to join it now. To go back, press 0."),
    "goodbye": _l("Thank you for calling. Goodbye."),
}
