from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service import create_app
from service.config import Config, ConfigError, from_env, with_dev_secrets

DEV = {"FRONTLINE_ENV": "development"}
# What a well-configured live service sets: every secret 32 bytes or more, HTTPS.
PRODUCTION = {
    "FRONTLINE_ENV": "production",
    "FRONTLINE_SECRET_KEY": "s" * 43,
    "FRONTLINE_DATA_KEY": "d" * 43,
    "FRONTLINE_PUBLIC_URL": "https://connect.example.org",
    "FRONTLINE_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "FRONTLINE_TWILIO_AUTH_TOKEN": "t" * 32,
}


def test_unknown_setting_stops_start_up_and_is_named() -> None:
    with pytest.raises(ConfigError, match="FRONTLINE_DATABSE_URL"):
        from_env({**DEV, "FRONTLINE_DATABSE_URL": "sqlite://", "HOME": "/root"})


def test_settings_are_read_and_typed() -> None:
    config = from_env(
        {
            **DEV,
            "FRONTLINE_TIMEZONE": "Europe/Warsaw",
            "FRONTLINE_DEV_TOOLS": "yes",
            "FRONTLINE_PUBLIC_URL": "https://connect.example.org",
            "OTHER": "ignored",
        }
    )
    assert config.TIMEZONE == "Europe/Warsaw"
    assert config.DEV_TOOLS is True
    assert config.PUBLIC_URL == "https://connect.example.org"


def test_the_test_database_variable_belongs_to_tooling() -> None:
    assert from_env({**DEV, "FRONTLINE_TEST_DATABASE_URL": "postgresql://x"}).DATABASE_URL == ""


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("FRONTLINE_DEV_TOOLS", "maybe", "true or false"),
        ("FRONTLINE_TIMEZONE", "Mars/Olympus", "not a known time zone"),
        ("FRONTLINE_ENV", "staging", "development or production"),
        ("FRONTLINE_SEND_WINDOW", "0", "SEND_WINDOW must be at least 1"),
    ],
)
def test_bad_values_are_refused_with_a_reason(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_env({**DEV, key: value})


def test_production_refuses_to_start_without_secrets() -> None:
    with pytest.raises(ConfigError, match="FRONTLINE_SECRET_KEY, FRONTLINE_DATA_KEY"):
        from_env({"FRONTLINE_ENV": "production"})


def test_development_generates_keys_once_and_keeps_them(tmp_path: Path) -> None:
    config = Config(INSTANCE_DIR=str(tmp_path))
    first = with_dev_secrets(config)
    second = with_dev_secrets(config)
    assert first.SECRET_KEY and first.DATA_KEY and first.SECRET_KEY != first.DATA_KEY
    assert (second.SECRET_KEY, second.DATA_KEY) == (first.SECRET_KEY, first.DATA_KEY)
    assert oct((tmp_path / "dev-data-key").stat().st_mode & 0o777) == "0o600"


def test_defaults_put_data_in_the_instance_folder(tmp_path: Path) -> None:
    config = Config(INSTANCE_DIR=str(tmp_path))
    assert config.database_url == f"sqlite:///{tmp_path / 'frontline.db'}"
    assert config.queue_url == f"sqlite:///{tmp_path / 'queue.db'}"


def test_the_instance_folder_is_in_the_folder_the_service_starts_in(tmp_path, monkeypatch) -> None:
    # Installed from a wheel there is no source folder to put it in: ./instance, as the README says.
    monkeypatch.chdir(tmp_path)
    config = from_env({"FRONTLINE_ENV": "development"})
    assert str(tmp_path / "instance") == config.INSTANCE_DIR
    assert config.database_url == f"sqlite:///{tmp_path / 'instance' / 'frontline.db'}"
    # A relative setting is taken from the same folder, and made absolute (Flask needs that).
    relative = from_env({"FRONTLINE_ENV": "development", "FRONTLINE_INSTANCE_DIR": "data/x"})
    assert str(tmp_path / "data" / "x") == relative.INSTANCE_DIR


def test_production_with_every_setting_right_starts() -> None:
    assert from_env(PRODUCTION).is_production


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # The phone simulator shows anyone's codes and forges signed webhooks.
        ({"FRONTLINE_DEV_TOOLS": "true"}, "FRONTLINE_DEV_TOOLS must be off in production"),
        ({"FRONTLINE_PUBLIC_URL": "http://connect.example.org"}, "PUBLIC_URL must be https://"),
        ({"FRONTLINE_SECRET_KEY": "s" * 31}, "FRONTLINE_SECRET_KEY must be at least 32 bytes"),
        ({"FRONTLINE_DATA_KEY": "short"}, "FRONTLINE_DATA_KEY must be at least 32 bytes"),
        ({"FRONTLINE_TWILIO_AUTH_TOKEN": "t" * 16}, "TWILIO_AUTH_TOKEN must be at least 32"),
        # The test suite's argon2 cost would let a stolen table of hashes be walked.
        ({"FRONTLINE_ARGON2_PROFILE": "cheapest"}, "ARGON2_PROFILE must be rfc9106 in production"),
    ],
)
def test_production_refuses_what_would_open_it_up(
    change: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key in [k for k in os.environ if k.startswith("FRONTLINE_")]:
        monkeypatch.delenv(key)
    for key, value in {**PRODUCTION, "FRONTLINE_INSTANCE_DIR": str(tmp_path), **change}.items():
        monkeypatch.setenv(key, value)
    # gunicorn's entry point, 'service:create_app()', reads exactly this environment.
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_a_missing_env_stops_start_up_instead_of_inventing_secrets(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env["FRONTLINE_INSTANCE_DIR"] = str(tmp_path)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "frontline"), "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "configuration error: FRONTLINE_ENV is not set" in result.stderr
    # Nothing was generated: no development key now stands in for a forgotten production one.
    assert not list(tmp_path.glob("dev-*"))
