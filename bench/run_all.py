"""Run every benchmark in bench/ and print one table of all figures (also in results.json)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from bench.common import RESULTS, Figure, print_table  # noqa: E402

# cluster.py runs `make cluster` (it serves until stopped), echo_app.py and floor_app.py are
# baseline apps sms_webhook.py serves; fake_farm.py, wrk_driver.py, cpu.py and during_bulk.py
# are parts the benchmarks use.
NOT_BENCHMARKS = {
    "__init__.py",
    "common.py",
    "run_all.py",
    "echo_app.py",
    "floor_app.py",
    "cluster.py",
    "fake_farm.py",
    "wrk_driver.py",
    "cpu.py",
    "during_bulk.py",
    # `make bench-scale` and its databases: scale_reach.py times the reach page on them alone,
    # bulk_p99.py the webhooks beside a fan-out or purge, fan_out_explain.py explains a batch.
    "scale.py",
    "scale_data.py",
    "scale_console.py",
    "scale_reach.py",
    "bulk_p99.py",
    "fan_out_explain.py",
}


def main() -> int:
    """Run each bench/*.py in its own process; fail if any does."""
    RESULTS.unlink(missing_ok=True)
    failed = []
    for script in sorted(HERE.glob("*.py")):
        if script.name in NOT_BENCHMARKS:
            continue
        print(f"== {script.stem}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.stem)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    figures = [
        Figure(**{k: v for k, v in row.items() if k != "ratio"})
        for bench in results.values()
        for row in bench.values()
    ]
    print("\n== all figures")
    print_table(figures)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
