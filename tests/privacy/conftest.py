"""Privacy tests: Twilio at the fake server, bodies kept, people who used every channel."""

from __future__ import annotations

from tests.support.fake_twilio import config_at_fake
from tests.support.sms import DEMO_NUMBER

# Inbound bodies kept, so erasure must remove them too.
config = config_at_fake(TWILIO_FROM_NUMBER=DEMO_NUMBER, SMS_SEND_RATE=0, SMS_KEEP_BODIES=True)
