"""Every channel counts through the same operations: texts, calls, kiosk codes and print."""

from __future__ import annotations

from sqlalchemy import select

from service.cli import cli
from service.content.models import Network
from service.db import utcnow
from service.organisations.models import Site
from service.reach.models import ReachTally
from service.reach.operations import month_of
from service.verification import operations as verification
from tests.support.kiosks import start_kiosk_join
from tests.support.sms import Handset, signed_post
from tests.support.texts import code_in, texts_to
from tests.support.voice import Caller


def _counted(session, demo, measure: str) -> list[tuple[str, int, int, int]]:
    """(channel, network, site, count) of this measure, outside the demo's own history."""
    rows = session.scalars(
        select(ReachTally).where(
            ReachTally.organisation_id == demo.id,
            ReachTally.measure == measure,
            ReachTally.channel.in_(("sms", "voice", "kiosk", "print")),
        )
    )
    return sorted(
        (t.channel, t.network_id, t.site_id, t.count)
        for t in rows
        if t.month >= month_of(demo, utcnow())
    )


def _site(session, slug: str) -> int:
    return session.scalar(select(Site.id).where(Site.slug == slug))


def test_sms_talk_call_me_and_leave_all_count_once_each(client, demo, session) -> None:
    phone = Handset(client, "+447400111222")
    phone.send("JOIN CAREERS")
    phone.send("JOIN CARERS")
    form = phone.form("TALK", sid="SM" + "7" * 32)
    for _ in range(2):  # Twilio retries the webhook: the MessageSid makes it one request
        assert signed_post(client, "/twilio/sms", form).status_code == 200
    phone.send("CALL ME")
    phone.send("CALL ME")  # already asked: the same request
    phone.send("LEAVE ALL")
    assert _counted(session, demo, "support") == [("sms", 0, 0, 1)]
    assert _counted(session, demo, "callback") == [("sms", 0, 0, 1)]
    assert [row[0] for row in _counted(session, demo, "leave")] == ["sms", "sms"]


def test_a_call_counts_support_when_put_through_and_a_voicemail_as_a_call_back(
    client, demo, session
) -> None:
    call = Caller(client, "+447400111333")
    call.dial_in()
    call.press("1")  # English
    call.press("3")  # support: hearing the list is not yet a request
    assert _counted(session, demo, "support") == []
    assert call.press("1").find("Dial") is not None
    assert _counted(session, demo, "support") == [("voice", 0, 0, 1)]
    voicemail = Caller(client, "+447400111333")
    voicemail.dial_in()
    voicemail.press("1")  # every call starts at the language menu, known number or not
    voicemail.press("4")  # leave a message
    record = voicemail.press("4").find("Record")  # a call any time suits them
    form = voicemail.recording_form("RE" + "5" * 32, 12)
    path = record.get("recordingStatusCallback").replace("http://localhost", "")
    for _ in range(2):  # Twilio retries the recording callback
        assert signed_post(client, path, form).status_code == 204
    assert _counted(session, demo, "callback") == [("voice", 0, 0, 1)]


def test_a_kiosk_join_counts_at_the_kiosks_site(session, demo, vault) -> None:
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    riverside = _site(session, "riverside-depot")
    started = start_kiosk_join(session, demo, "07400 111444", careers, riverside)
    code = code_in(texts_to(session, vault, "+447400111444")[-1])
    assert verification.check_code(session, demo, started.token, code).status == "done"
    assert _counted(session, demo, "join") == [("kiosk", careers, riverside, 1)]


def test_a_pack_built_with_the_cli_counts_as_a_print_download(app, demo, session, tmp_path):
    result = app.test_cli_runner().invoke(
        cli, ["pack", "--site", "willow-court", "-o", str(tmp_path / "pack.pdf")]
    )
    assert result.exit_code == 0, result.output
    assert _counted(session, demo, "download") == [("print", 0, _site(session, "willow-court"), 1)]
