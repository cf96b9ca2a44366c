"""The webhook benches' baseline is measured beside each row, not once at the start of a run."""

from __future__ import annotations

import gc
import json
import selectors
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer

from bench import common


def test_a_row_is_compared_with_the_mean_of_the_baselines_either_side(capsys):
    calls: list[str] = []
    baselines = iter([2000.0, 1000.0])

    def baseline() -> float:
        calls.append("baseline")
        return next(baselines)

    def measure() -> float:
        calls.append("row")
        return 300.0

    figure = common.bracketed(
        "sms_webhook", "EVENTS max rate (wrk)", measure, baseline, "r/s", target="ratio >= 0.5"
    )

    assert calls == ["baseline", "row", "baseline"]
    assert (figure.baseline_before, figure.baseline_after, figure.baseline) == (2000, 1000, 1500)
    assert figure.ratio == 0.2
    common.print_table([figure])
    assert "[baseline before 2000.0 / after 1000.0]" in capsys.readouterr().out


def test_results_json_rows_with_both_baselines_load_back_as_figures(tmp_path, monkeypatch):
    """run_all.py rebuilds every row of results.json as a Figure for its closing table."""
    monkeypatch.setattr(common, "RESULTS", tmp_path / "results.json")
    figure = common.Figure(
        "voice_webhook",
        "menu step max rate",
        200.0,
        2000.0,
        "r/s",
        baseline_before=2100.0,
        baseline_after=1900.0,
    )
    common.record([figure])
    row = json.loads((tmp_path / "results.json").read_text())["voice_webhook"]["menu step max rate"]
    assert row["ratio"] == 0.1
    assert common.Figure(**{k: v for k, v in row.items() if k != "ratio"}) == figure


@contextmanager
def server(answer: Callable[[BaseHTTPRequestHandler], int], threads: bool = True):
    """A local HTTP server (closing after each answer, as gunicorn's workers do) on a free port."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(answer(self))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = (ThreadingHTTPServer if threads else HTTPServer)(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


REQUEST: common.Request = ("/twilio/sms", {"X-Twilio-Signature": "abc"}, {"Body": "EVENTS"})


def test_the_load_drivers_time_requests_with_their_own_heap_out_of_the_collectors_scans(
    monkeypatch,
):
    """A full collection of the bench's held requests paused every request in flight."""
    held = [["EVENTS"]]  # one of the bench's held requests (a list: the collector tracks it)
    scanned: list[bool] = []

    def answer(handler: BaseHTTPRequestHandler) -> int:
        # Frozen objects are in no generation: the collector neither lists nor scans them.
        scanned.append(any(obj is held[0] for obj in gc.get_objects()))
        return 200

    def send(port: int, request: common.Request) -> tuple[float, int]:
        return 1.0, answer(None)  # closed_loop's clients: threads, each request in turn

    monkeypatch.setattr(common, "_send", send)
    with server(answer) as port:
        assert common.open_loop(port, [REQUEST] * 3, 1000).errors == 0
    assert common.closed_loop(0, [[REQUEST]] * 3, 2).errors == 0

    assert scanned == [False] * 6
    assert any(obj is held[0] for obj in gc.get_objects())  # scanned again once timing ends


def test_the_open_loop_sends_the_signed_form_and_shows_queueing_behind_a_slow_server():
    seen: list[tuple[str, str, bytes]] = []

    def slowly(handler: BaseHTTPRequestHandler) -> int:
        seen.append((handler.path, handler.headers["X-Twilio-Signature"], handler.body))
        time.sleep(0.05)
        return 200

    with server(slowly, threads=False) as port:
        result = common.open_loop(port, [REQUEST] * 5, 100)

    assert seen == [("/twilio/sms", "abc", b"Body=EVENTS")] * 5 and result.errors == 0
    # One at a time, 50 ms each, due every 10 ms: the fifth waited for the four before it.
    assert max(result.latencies_ms) >= 5 * 50 - 4 * 10
    assert result.requests == 5 and len(result.latencies_ms) == 5


def test_the_open_loop_counts_its_own_lateness_as_latency(monkeypatch):
    """Latency runs from each request's place in the schedule, not from when it was sent."""

    class Slow(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
        stalled = False

        def select(self, timeout=None):
            if not Slow.stalled:  # the driver held up for 150 ms once, after its first request
                Slow.stalled = True
                time.sleep(0.15)
            return super().select(timeout)

    monkeypatch.setattr(common.selectors, "DefaultSelector", Slow)
    with server(lambda handler: 200) as port:
        result = common.open_loop(port, [REQUEST] * 5, 100)

    # Due at 0, 10, 20, 30 and 40 ms, the last four sent at about 150 ms: each at least 110 ms.
    assert result.errors == 0 and min(result.latencies_ms) >= 100


def test_the_open_loop_gives_up_on_an_unanswered_request_at_its_timeout():
    answers = iter([0.0, 1.5, 0.0])

    def sometimes_stuck(handler: BaseHTTPRequestHandler) -> int:
        time.sleep(next(answers))
        return 200

    with server(sometimes_stuck) as port:
        result = common.open_loop(port, [REQUEST] * 3, 100, timeout=0.3)

    assert result.errors == 1 and result.seconds < 1.0
    assert len(result.latencies_ms) == 3


def test_the_open_loop_counts_answers_other_than_200_and_refused_connections_as_errors():
    answers = iter([200, 500, 200, 403])
    with server(lambda handler: next(answers)) as port:
        assert common.open_loop(port, [REQUEST] * 4, 200).errors == 2
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]  # bound, never listening: refused
        assert common.open_loop(closed_port, [REQUEST] * 3, 200).errors == 3
