"""The README's `make run` path, far enough to fetch the public page over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.processes import stop_group

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.real_clock
def test_make_run_serves_the_demo_page(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTLINE_")}
    env["FRONTLINE_INSTANCE_DIR"] = str(tmp_path / "instance")
    log = (tmp_path / "make-run.log").open("w+")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        body = ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.3)
        # The worker logs its start; give it a moment if the web server won the race.
        while time.monotonic() < deadline and "consumer" not in Path(log.name).read_text():
            time.sleep(0.3)
        output = Path(log.name).read_text()
        assert "Northgate City Council" in body, output
        # The phone simulator is on in `make run`, and signs with the generated dev token.
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/dev/phone/sms",
            data=json.dumps(
                {"from": "07400123456", "to": "+441134960000", "body": "HELP"}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        assert answer["status"] == 200, answer
        assert "NETWORKS" in answer["replies"][-1]
        # The depot kiosk is served by the same web process.
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/kiosk/eastfield-depot/", timeout=10
        ) as response:
            assert "Get support" in response.read().decode()
        assert f"http://127.0.0.1:{port}/kiosk/eastfield-depot/" in output
        assert f"http://127.0.0.1:{port}/" in output
        assert "Huey consumer started" in output, output
        assert (tmp_path / "instance" / "frontline.db").exists()
    finally:
        stop_group(process)
        log.close()
