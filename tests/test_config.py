from __future__ import annotations

from pathlib import Path

import pytest

from service.config import Config, ConfigError, from_env, with_dev_secrets


def test_unknown_setting_stops_start_up_and_is_named() -> None:
    with pytest.raises(ConfigError, match="FRONTLINE_DATABSE_URL"):
        from_env({"FRONTLINE_DATABSE_URL": "sqlite://", "HOME": "/root"})


def test_settings_are_read_and_typed() -> None:
    config = from_env(
        {
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
    assert from_env({"FRONTLINE_TEST_DATABASE_URL": "postgresql://x"}).DATABASE_URL == ""


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("FRONTLINE_DEV_TOOLS", "maybe", "true or false"),
        ("FRONTLINE_TIMEZONE", "Mars/Olympus", "not a known time zone"),
        ("FRONTLINE_ENV", "staging", "development or production"),
    ],
)
def test_bad_values_are_refused_with_a_reason(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_env({key: value})


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
