"""Issue 10's reliability figures, measured against `make cluster` (2 web processes, 2 workers)."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import re
import secrets
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.common import ROOT, VENV_BIN
from service.devtools.simulator import webhook_form
from service.outbox.models import STATUS_RANK
from tests.support.cluster import DEMO_NUMBER, LiveCluster, Response
from tests.support.processes import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.real_clock]

SMS = "/twilio/sms"
KIOSK = "/kiosk/eastfield-depot/"
CLIENTS = 20
BROADCAST = (str(VENV_BIN / "python"), "-m", "tests.reliability.broadcast")
PERSONAL_TABLES = ("contact", "membership", "inbound_message", "outbound_message")


def _in_parallel(jobs: list, send, clients: int = CLIENTS) -> list[Response]:
    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(send, jobs))


def _counts(live: LiveCluster) -> dict[str, int]:
    return {table: live.count(table) for table in PERSONAL_TABLES}


def test_forged_webhooks_are_refused_and_write_nothing(live: LiveCluster) -> None:
    before = _counts(live)
    forms = [
        webhook_form(f"+4477009{n:05d}", DEMO_NUMBER, "JOIN CAREERS", "", sid=f"SM{n:032x}")
        for n in range(1000)
    ]
    started = time.monotonic()
    answers = _in_parallel(forms, lambda form: live.signed_post(SMS, form, forged=True))
    seconds = time.monotonic() - started
    statuses = Counter(a.status for a in answers)
    after = _counts(live)
    written = {t: after[t] - before[t] for t in PERSONAL_TABLES}
    print(
        f"\nforged webhooks: {len(forms)} tried by {CLIENTS} clients in {seconds:.1f} s; "
        f"answers {dict(statuses)}; rows written {written}"
    )
    assert statuses == {403: 1000}
    assert written == dict.fromkeys(PERSONAL_TABLES, 0)


def test_one_webhook_sent_50_times_at_once_has_one_effect(live: LiveCluster) -> None:
    before = _counts(live)
    sid = "SM" + "d" * 32
    form = webhook_form("+447400200001", DEMO_NUMBER, "JOIN CAREERS", "", sid=sid)
    gate = threading.Barrier(50)

    def send(_: int) -> Response:
        gate.wait()  # all 50 leave together, as Twilio's retries and a flaky proxy might
        return live.signed_post(SMS, form)

    answers = _in_parallel(list(range(50)), send, clients=50)
    after = _counts(live)
    statuses = Counter(a.status for a in answers)
    replies = Counter(a.body for a in answers)
    rows = live.rows("SELECT count(*) FROM inbound_message WHERE message_sid = %s", sid)[0][0]
    written = {t: after[t] - before[t] for t in PERSONAL_TABLES}
    print(
        f"\nsame webhook x50 at once: answers {dict(statuses)}; distinct replies {len(replies)}; "
        f"inbound rows for the sid {rows}; rows written {written}"
    )
    assert statuses == {200: 50}
    assert len(replies) == 1 and "<Message>" in next(iter(replies))
    assert rows == 1
    assert written["contact"] == 1 and written["membership"] == 1


def test_a_burst_of_status_callbacks_never_moves_a_row_backwards(live: LiveCluster) -> None:
    members = [f"+4474003000{n:02d}" for n in range(20)]
    for number in members:
        answer = live.signed_post(SMS, webhook_form(number, DEMO_NUMBER, "JOIN WOMEN", ""))
        assert answer.status == 200, answer.body
    sent = subprocess.run(
        [*BROADCAST, "send", "women", "Lunch moved."],
        cwd=ROOT,
        env=live.cluster.env,
        capture_output=True,
        text=True,
        check=True,
    )
    broadcast_id, written = (int(v) for v in sent.stdout.split())
    assert written == len(members)

    def all_sent() -> list[tuple[int, str]]:
        rows = live.rows(
            "SELECT id, twilio_sid FROM outbound_message"
            " WHERE broadcast_id = %s AND status = 'sent'",
            broadcast_id,
        )
        return rows if len(rows) == written else []

    rows = wait_until(all_sent, 60, "the workers sending the broadcast")
    # 50 callbacks a row, "sent" and "delivered" shuffled: late "sent"s must not undo delivery.
    shuffle = random.Random(10)
    callbacks = [
        (row_id, {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32})
        for row_id, sid in rows
        for status in ["sent", "delivered"] * 25
    ]
    shuffle.shuffle(callbacks)

    seen: dict[int, list[str]] = {row_id: [] for row_id, _ in rows}
    done = threading.Event()

    def watch() -> None:
        # Read the rows while the burst lands, so a status that went backwards shows here.
        while not done.is_set():
            for row_id, status in live.rows(
                "SELECT id, status FROM outbound_message WHERE broadcast_id = %s", broadcast_id
            ):
                if not seen[row_id] or seen[row_id][-1] != status:
                    seen[row_id].append(status)
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    try:
        answers = _in_parallel(
            callbacks,
            lambda c: live.signed_post(f"/twilio/sms/status?outbox_id={c[0]}", c[1]),
        )
    finally:
        seconds = time.monotonic() - started
        done.set()
        watcher.join()
    statuses = Counter(a.status for a in answers)
    final = Counter(
        status
        for _, status in live.rows(
            "SELECT id, status FROM outbound_message WHERE broadcast_id = %s", broadcast_id
        )
    )
    backwards = [
        (row_id, path)
        for row_id, path in seen.items()
        if any(STATUS_RANK[a] > STATUS_RANK[b] for a, b in itertools.pairwise(path))
    ]
    print(
        f"\nstatus callbacks: {len(callbacks)} across {written} rows by {CLIENTS} clients in "
        f"{seconds:.1f} s; answers {dict(statuses)}; final statuses {dict(final)}; "
        f"rows seen going backwards {len(backwards)}"
    )
    assert statuses == {204: len(callbacks)}
    assert final == {"delivered": written}
    assert backwards == []


def test_50_kiosk_sessions_in_a_row_leave_no_personal_data(live: LiveCluster) -> None:
    careers = live.rows("SELECT id FROM network WHERE slug = 'careers'")[0][0]
    # A depot kiosk carries the credential a site manager issued it: without one, an address
    # gets 20 codes an hour (anyone on the internet could use the kiosk's path).
    credential = secrets.token_urlsafe(32)
    live.rows(
        "UPDATE site SET kiosk_key_hash = %s, kiosk_key_issued_at = now() "
        "WHERE slug = 'eastfield-depot' RETURNING id",
        hashlib.sha256(credential.encode()).hexdigest(),
    )
    kiosk = {"X-Kiosk-Credential": credential}
    numbers = [f"+4474004000{n:02d}" for n in range(50)]
    answers: list[Response] = []
    outcomes: Counter[str] = Counter()
    for number in numbers:
        typed = "0" + number[3:7] + " " + number[7:]  # as a person types it: 07400 400017
        start = live.post_json(
            f"{KIOSK}api/start",
            {"action": "join", "network": careers, "phone": typed, "lang": "en"},
            kiosk,
        )
        assert start.status == 200, start.body
        token = json.loads(start.body)["token"]
        text = wait_until(lambda n=number: live.fake.to(n), 30, f"the code texted to {number}")
        code = re.search(r"\b(\d{6})\b", text[-1]).group(1)
        check = live.post_json(
            f"{KIOSK}api/check", {"token": token, "code": code, "lang": "en"}, kiosk
        )
        outcomes[json.loads(check.body)["status"]] += 1
        reset = live.request("POST", f"{KIOSK}reset")
        assert reset.headers["Clear-Site-Data"] == '"cache", "cookies"'
        answers += [start, check, reset]
    # What the next person at the kiosk would see: its pages, after all 50.
    for page in ("", "networks", "networks/careers", "events", "support"):
        answers.append(live.request("GET", f"{KIOSK}{page}"))

    cookies = sum(1 for a in answers if a.headers.get_all("Set-Cookie"))
    cacheable = sum(1 for a in answers if a.headers.get("Cache-Control") != "no-store")
    leaks = []
    for number in numbers:
        # The number in every form a person or a log might write it; a masked form is fine.
        digits = number[3:]
        forms = (number, "0" + digits, digits, "0" + digits[:4] + " " + digits[4:])
        leaks += [f for a in answers for f in forms if f in a.body]
    print(
        f"\nkiosk sessions: {len(numbers)} in a row, {len(answers)} responses; outcomes "
        f"{dict(outcomes)}; responses setting a cookie {cookies}; cacheable {cacheable}; "
        f"full numbers in any response {len(leaks)}"
    )
    assert outcomes == {"done": 50}
    assert cookies == 0 and cacheable == 0
    assert leaks == []
