"""The moments the suite runs at: a random one for `make check`, and the clock matrix.

python -m tests.support.clock random   prints a moment drawn at random (FRONTLINE_TEST_NOW)
python -m tests.support.clock matrix   runs `make test` at each moment of MATRIX, then says
                                       which passed; exits non-zero if any failed
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import time

# Where calendars and clocks catch code out. UK clocks go forward at 01:00 UTC on the last
# Sunday of March and back at 01:00 UTC on the last Sunday of October: 23:59 local on the
# Saturday before, the suite runs across midnight and into the change.
MATRIX = {
    "the 1st of a month": "2026-12-01T10:30:00+00:00",
    "the 4th of a month": "2026-12-04T10:30:00+00:00",
    "the 28th of a month": "2026-12-28T10:30:00+00:00",
    "a Sunday": "2026-12-06T10:30:00+00:00",
    "23:59 on the last Saturday of March (clocks go forward)": "2027-03-27T23:59:00+00:00",
    "23:59 on the last Saturday of October (clocks go back)": "2027-10-30T23:59:00+01:00",
    "29 February 2028": "2028-02-29T10:30:00+00:00",
}


def random_moment(rng: random.Random | None = None) -> str:
    """A minute between 2026 and the end of 2030, any day, any hour, as FRONTLINE_TEST_NOW."""
    rng = rng or random.SystemRandom()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    minutes = int((dt.datetime(2031, 1, 1, tzinfo=dt.UTC) - start).total_seconds() // 60)
    return (start + dt.timedelta(minutes=rng.randrange(minutes))).isoformat()


def run_matrix() -> int:
    """`make test` at each moment of the matrix; a line per moment; 1 if any failed."""
    results = []
    for name, moment in MATRIX.items():
        began = time.monotonic()
        env = {**os.environ, "FRONTLINE_TEST_NOW": moment}
        print(f"== make test at {moment} ({name})", flush=True)
        code = subprocess.run(["make", "--no-print-directory", "test"], env=env).returncode
        results.append((name, moment, code, time.monotonic() - began))
    print("\nclock matrix:")
    for name, moment, code, took in results:
        print(f"  {'passed' if code == 0 else 'FAILED'}  {moment}  {name}  ({took / 60:.1f} min)")
    return int(any(code for _, _, code, _ in results))


if __name__ == "__main__":
    if sys.argv[1:] == ["random"]:
        print(random_moment())
    elif sys.argv[1:] == ["matrix"]:
        sys.exit(run_matrix())
    else:
        sys.exit(__doc__)
