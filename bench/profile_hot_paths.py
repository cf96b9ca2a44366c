"""cProfile of the SMS hot paths in-process (EVENTS and JOIN+YES from returning members).

Runs the real Flask app on a fresh SQLite demo database through the test client (signed
webhooks, a fresh session per request as in production) and prints the top functions by
cumulative and by own time. Not a benchmark table: a guide to where a request's time goes.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import VENV_BIN
from bench.sms_webhook import PUBLIC_URL, Texts, service_env

REQUESTS = 150
TOP = 10


def main() -> None:
    import os

    kind = sys.argv[1] if len(sys.argv) > 1 else "events"
    with tempfile.TemporaryDirectory() as instance:
        env = service_env(instance)
        frontline = str(VENV_BIN / "frontline")
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        os.environ.update(env)
        from service import create_app

        app = create_app()
        client = app.test_client()
        texts = Texts()
        numbers = [f"+4474009{n:05d}" for n in range(REQUESTS)]

        def post(request) -> None:
            path, headers, form = request
            response = client.post(path, data=form, headers=headers, base_url=PUBLIC_URL)
            assert response.status_code == 200, response.status_code

        for n in numbers:
            post(texts(n, "HELP"))
        for n in numbers[:20]:  # warm
            post(texts(n, "EVENTS"))
        profile = cProfile.Profile()
        profile.enable()
        for n in numbers:
            if kind == "events":
                post(texts(n, "EVENTS"))
            else:
                post(texts(n, "JOIN MINDS"))
                post(texts(n, "YES"))
        profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(TOP if order == "tottime" else 40)
        print(f"== {kind}: top by {order}")
        print(out.getvalue())


if __name__ == "__main__":
    main()
