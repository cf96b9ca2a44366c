"""Settings every test app shares: its keys and public URL."""

from __future__ import annotations

TEST_DATA_KEY = "test-data-key-not-secret"
TEST_AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "https://frontline.example.org"
