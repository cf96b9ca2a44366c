"""The webhook benches' baseline is measured beside each row, not once at the start of a run."""

from __future__ import annotations

import gc
import json

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


def test_the_load_drivers_time_requests_with_their_own_heap_out_of_the_collectors_scans(
    monkeypatch,
):
    """A full collection of the bench's held requests paused every request in flight."""
    held = [["EVENTS"]]  # one of the bench's held requests (a list: the collector tracks it)
    scanned: list[bool] = []

    def send(port: int, request: common.Request) -> tuple[float, int]:
        # Frozen objects are in no generation: the collector neither lists nor scans them.
        scanned.append(any(obj is held[0] for obj in gc.get_objects()))
        return 1.0, 200

    monkeypatch.setattr(common, "_send", send)
    request: common.Request = ("/twilio/sms", {}, {"Body": "EVENTS"})
    assert common.open_loop(0, [request] * 3, 1000).errors == 0
    assert common.closed_loop(0, [[request]] * 3, 2).errors == 0

    assert scanned == [False] * 6
    assert any(obj is held[0] for obj in gc.get_objects())  # scanned again once timing ends
