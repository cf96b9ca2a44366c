"""Settings every test app shares: its keys and public URL."""

from __future__ import annotations

from pathlib import Path

from service.config import Config

TEST_DATA_KEY = "test-data-key-not-secret"
# The key rotate-data-key moves the test key's values to (the rotated_app fixture's DATA_KEY).
NEXT_DATA_KEY = "the-next-data-key-not-secret"
TEST_AUTH_TOKEN = "test-twilio-auth-token"
PUBLIC_URL = "https://frontline.example.org"


def app_config(instance: Path | str, database_url: str, **settings: object) -> Config:
    """A development configuration on database_url with the suite's keys; settings add to it."""
    base: dict[str, object] = {
        "ENV": "development",
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "DATA_KEY": TEST_DATA_KEY,
        "PUBLIC_URL": PUBLIC_URL,
        "LOG_LEVEL": "WARNING",
    }
    return Config(**{**base, **settings})  # type: ignore[arg-type]
