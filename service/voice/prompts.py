"""The prompt catalogue: the ids flows use, and their English text (translated by gettext)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PROMPTS = {
    # At most about 40 words: the choices most callers want, the rest behind 8 (more_menu).
    "main_menu": _l(
        "For groups, press 1. For this week's events, press 2. For support, press 3. To leave "
        "a message, press 4. For more choices, press 8. To hear this again, press star."
    ),
    "more_menu": _l(
        "To join a session happening now, press 5. To speak up about a concern without giving "
        "your name, press 6. For your own groups, press 7. To change language, press 9. To end "
        "the call, press hash. To go back, press 0."
    ),
    "networks_menu": _l("Press the number of a group to hear about it. To go back, press 0."),
    "network_menu": _l(
        "To join this group, press 1. To hear its events, press 2. To leave a message for its "
        "organisers, press 3. To go back, press 0."
    ),
    "verify_menu": _l(
        "Your own groups are private. To check that it is you, we will text a code to the "
        "phone you are calling from. To get the code, press 1. To go back, press 0."
    ),
    "code_entry": _l(
        "We have texted a code to the phone you are calling from. Key in its six digits now. "
        "To go back, press 0 and then hash."
    ),
    "my_groups_menu": _l(
        "Those are your groups. Press the number of a group to leave it. To go back, press 0."
    ),
    "my_group_menu": _l("To leave this group, press 1. To go back, press 0."),
    "join_menu": _l("To join, press 1. To go back, press 0."),
    "events_menu": _l("Press the number of an event to hear more. To go back, press 0."),
    "event_menu": _l("To get the details by text, press 1. To go back, press 0."),
    "support_menu": _l("Press the number of a line to be connected. To go back, press 0."),
    "good_time_menu": _l(
        "We will call you back. When is a good time? For the morning, press 1. For the "
        "afternoon, press 2. For the evening, press 3. For any time, press 4. To go back, "
        "press 0."
    ),
    "message_intro": _l(
        "After the tone, say your message for the group organisers. Press any key when you "
        "are done."
    ),
    "live_menu": _l("Press the number of a session to join it now. To go back, press 0."),
    "speakup_menu": _l(
        "Speak up. You can tell the speak-up guardian about a concern without giving your "
        "name. The speak-up guardian is someone the organisation has chosen to hear concerns "
        "in confidence, not a manager. "
        "The organisation will not know who you are: we do not keep your number with "
        "your message. The phone company and our telephone provider still see the number, as "
        "with any call. To follow a case you already have, text the word CASE and its code to "
        "the number you called. To record your concern, press 1. To go back, press 0."
    ),
    "speakup_record": _l(
        "After the tone, say what is worrying you. You have up to three minutes. You do not "
        "need to say your name. Press hash when you have finished, then stay on the line with "
        "a pen ready: we will read you a case code."
    ),
    "speakup_code": _l(
        "Thank you. Only the speak-up guardian will hear your message. Here is your case code. "
        "It has sixteen letters and numbers, in four groups of four. Please write it down."
    ),
    "speakup_code_again": _l("Once more, your case code is:"),
    "speakup_follow": _l(
        # "The number you called, from any phone": the case is not tied to the caller's number,
        # which the line does not keep.
        "To follow your case, text the word CASE and this code to the number you called, from "
        "any phone, or use Speak up on a kiosk at work. Keep the code to yourself: anyone who "
        "has it can read your case. We cannot tell you the code again."
    ),
    # Read before the main menu only while a survey is open (its option's `when` in the flow).
    "survey_offer": _l("A short survey is open. To have your say, press 7."),
    "survey_verify_menu": _l(
        "So that each person answers once, we will text a code to the phone you are calling "
        "from. Your answers are not kept with your number. To get the code, press 1. To go "
        "back, press 0."
    ),
    "survey_record": _l(
        "After the tone, say your answer. You have up to two minutes. Press hash when you have "
        "finished."
    ),
    "goodbye": _l("Thank you for calling. Goodbye."),
}
