"""`frontline rotate-data-key` resumes: a run killed part-way is carried on, not started again."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from service import create_app
from service.cli import rotate_data_key
from service.contacts.models import Contact
from service.contacts.operations import get_or_create_contact
from service.crypto import DecryptionError, Vault
from service.db import get_database, get_session
from service.privacy.models import RotationCheckpoint
from service.privacy.rotation import rotate_all
from tests.support.factories import create_organisation
from tests.support.settings import NEXT_DATA_KEY, TEST_DATA_KEY, app_config

LABEL = "contact.phone_encrypted"


class Killed(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def _numbers(count: int) -> list[str]:
    return [f"+4474001{n:05d}" for n in range(count)]


def _under_new_key_only(tokens: list[str]) -> int:
    only_new, moved = Vault(NEXT_DATA_KEY), 0
    for token in tokens:
        try:
            only_new.decrypt(token)
            moved += 1
        except DecryptionError:
            pass
    return moved


@pytest.fixture
def seven(session):
    """Seven contacts under the test key (A)."""
    org = create_organisation(session)
    for number in _numbers(7):
        get_or_create_contact(session, org.id, number)
    session.commit()
    return org


def test_a_run_stopped_after_two_batches_is_resumed_from_the_third(seven, rotated_app) -> None:
    batches = []

    def die_after_two(part: str, rows: int, total: int) -> None:
        batches.append(rows)
        if len(batches) == 2:
            raise Killed  # after the second batch's commit, as a kill between batches

    with pytest.raises(Killed):
        rotate_all(get_database(rotated_app).sessionmaker, batch_size=2, progress=die_after_two)
    session = get_session()
    ids = session.scalars(
        select(Contact.id).where(Contact.organisation_id == seven.id).order_by(Contact.id)
    ).all()
    checkpoint = session.get(RotationCheckpoint, LABEL)
    assert checkpoint is not None and checkpoint.last_id == str(ids[3])
    assert not checkpoint.finished

    def tokens() -> list[str]:
        return list(session.scalars(select(Contact.phone_encrypted).order_by(Contact.id)))

    assert _under_new_key_only(tokens()) == 4

    result = rotated_app.test_cli_runner().invoke(rotate_data_key, ["--batch-size", "2"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(LABEL)]
    # On from the fifth contact: the four done are not read again, and the totals count both.
    assert lines[0] == f"{LABEL}: resuming after 4 of 7 rows read"
    assert re.fullmatch(rf"{LABEL}: 6 of 7 rows read \([\d.]+ rows/s\)", lines[1])
    assert re.fullmatch(rf"{LABEL}: 7 of 7 rows read \([\d.]+ rows/s\)", lines[2])
    assert lines[3].startswith(f"{LABEL}: 7 re-encrypted, 0 already current, 7 index(es)")
    session.expire_all()
    assert _under_new_key_only(tokens()) == 7
    # Finished: no checkpoint is left, so the next rotation reads every row again.
    assert session.scalars(select(RotationCheckpoint)).all() == []
    again = rotated_app.test_cli_runner().invoke(rotate_data_key, ["--batch-size", "2"])
    assert "resuming" not in again.output
    assert f"{LABEL}: 0 re-encrypted, 7 already current" in again.output


def test_a_checkpoint_for_another_key_is_ignored(seven, rotated_app) -> None:
    session = get_session()
    session.add(
        RotationCheckpoint(
            label=LABEL, key_check="made under another key", last_id="999999", counts="{}"
        )
    )
    session.commit()
    result = rotated_app.test_cli_runner().invoke(rotate_data_key, ["--batch-size", "5"])
    assert result.exit_code == 0, result.output
    assert "resuming" not in result.output
    assert f"{LABEL}: 7 re-encrypted" in result.output


@pytest.fixture
def own_database(prepared, tmp_path):
    """A file of its own (SQLite) with 300 contacts under the test key, and its settings."""
    if prepared.demo_file is None:
        pytest.skip("killing a command on a file database of its own: SQLite only")
    path = tmp_path / "own.db"
    shutil.copyfile(prepared.demo_file, path)
    url = f"sqlite:///{path}"
    app = create_app(app_config(tmp_path / "instance", url))
    with app.app_context(), get_database(app).session() as session:
        org = create_organisation(session)
        for number in _numbers(300):
            get_or_create_contact(session, org.id, number)
        session.commit()
    get_database(app).dispose()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")},
        "FRONTLINE_ENV": "development",
        "FRONTLINE_DATABASE_URL": url,
        "FRONTLINE_INSTANCE_DIR": str(tmp_path / "instance"),
        "FRONTLINE_SECRET_KEY": "test-secret-key",
        "FRONTLINE_DATA_KEY": NEXT_DATA_KEY,
        "FRONTLINE_OLD_DATA_KEYS": TEST_DATA_KEY,
        "FRONTLINE_PUBLIC_URL": "https://frontline.example.org",
        "PYTHONUNBUFFERED": "1",
    }
    return path, env


@pytest.mark.slow  # two processes of its own
def test_rotate_data_key_killed_mid_run_resumes_where_it_stopped(own_database) -> None:
    path, env = own_database
    command = [
        str(Path(sys.executable).parent / "frontline"),
        "rotate-data-key",
        "--batch-size",
        "1",
    ]
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None
    for line in first.stdout:
        if line.startswith(LABEL):
            first.send_signal(signal.SIGKILL)  # mid-run, as an operator's kill -9 or an OOM
            break
    first.wait()
    first.stdout.close()
    assert first.returncode == -signal.SIGKILL
    second = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    resumed = re.search(
        rf"^{LABEL}: resuming after (\d+) of 300 rows read$", second.stdout, re.MULTILINE
    )
    assert resumed is not None, second.stdout
    done = int(resumed.group(1))
    assert 1 <= done < 300
    # The resumed run read only the rest: its first batch is the row after the checkpoint.
    assert re.search(rf"^{LABEL}: {done + 1} of 300 rows read", second.stdout, re.MULTILINE)
    assert f"{LABEL}: 300 re-encrypted" in second.stdout
    assert "Done: every value is under the current key" in second.stdout
    app = create_app(
        app_config(path.parent / "instance2", f"sqlite:///{path}", DATA_KEY=NEXT_DATA_KEY)
    )
    with app.app_context(), get_database(app).session() as session:
        tokens = session.scalars(select(Contact.phone_encrypted)).all()
        assert len(tokens) == 300 and _under_new_key_only(list(tokens)) == 300
        assert session.scalars(select(RotationCheckpoint)).all() == []
    get_database(app).dispose()
