"""Kiosk weight and speed in Debian's Chromium, against a static page served the same way.

Figures: bytes transferred for each kiosk and public page (HTML, CSS and JS, cold cache), and
the home page's time to interactive with the CPU throttled 4x. Interactive here means the
deferred scripts have run and every handler is attached (domContentLoadedEventEnd). The
baseline is a static HTML page holding the home page's text, served by the same server.
"""

from __future__ import annotations

import html
import logging
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import Figure, record

CHROMIUM = "/usr/bin/chromium"
SITE = "/kiosk/eastfield-depot/"
PAGES = {
    "home": SITE,
    "networks": f"{SITE}networks",
    "network (private)": f"{SITE}networks/minds",
    "what's on": f"{SITE}events",
    "support": f"{SITE}support",
    "public network page": "/o/northgate/n/minds",
}
RUNS = 9


def build_app(folder: str):
    from alembic import command as alembic_command

    from service import create_app
    from service.config import Config
    from service.db import get_database
    from service.demo import load_demo
    from service.migrations import alembic_config

    url = f"sqlite:///{folder}/bench.db"
    app = create_app(
        Config(
            ENV="development",
            INSTANCE_DIR=folder,
            DATABASE_URL=url,
            LOG_LEVEL="WARNING",
            QUEUE_IMMEDIATE=True,
        )
    )
    with app.app_context():
        alembic_command.upgrade(alembic_config(url), "head")
        with get_database(app).session() as session:
            load_demo(session)
    return app


def interactive_ms(browser, base: str, path: str) -> float:
    """domContentLoadedEventEnd of a cold load with the CPU slowed 4x."""
    context = browser.new_context(base_url=base, service_workers="block")
    tab = context.new_page()
    cdp = context.new_cdp_session(tab)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    tab.goto(path, wait_until="load")
    timing = tab.evaluate(
        "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
    )
    context.close()
    return float(timing)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    folder = tempfile.mkdtemp(prefix="kiosk-bench-")
    app = build_app(folder)
    static_page: dict[str, str] = {}
    app.add_url_rule("/bench/static", "bench_static", lambda: static_page["html"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.port}"
    figures: list[Figure] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(base_url=base, service_workers="block")
        tab = context.new_page()
        tab.goto(SITE)
        text = tab.evaluate("() => document.body.innerText")
        static_page["html"] = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Static</title>"
            '<link rel="icon" href="data:,">'
            + "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line)
        )
        static_bytes = None
        for name, path in {"static page, same text": "/bench/static", **PAGES}.items():
            page_context = browser.new_context(base_url=base, service_workers="block")
            page_tab = page_context.new_page()
            sizes: list[int] = []
            page_tab.on(
                "requestfinished",
                lambda r, sizes=sizes: sizes.append(
                    r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
                ),
            )
            page_tab.goto(path, wait_until="networkidle")
            page_context.close()
            if static_bytes is None:
                static_bytes = sum(sizes)
                continue
            figures.append(
                Figure(
                    "kiosk",
                    f"{name}: bytes transferred",
                    sum(sizes) / 1024,
                    static_bytes / 1024,
                    "KB",
                    higher_is_better=False,
                    target="home <= 60 KB" if name == "home" else "",
                )
            )
        context.close()
        kiosk_runs, static_runs = [], []
        for _ in range(RUNS):  # interleaved, so both see the same machine
            kiosk_runs.append(interactive_ms(browser, base, SITE))
            static_runs.append(interactive_ms(browser, base, "/bench/static"))
        browser.close()
    server.shutdown()
    figures.append(
        Figure(
            "kiosk",
            "home: time to interactive, CPU 4x slower",
            statistics.median(kiosk_runs),
            statistics.median(static_runs),
            "ms",
            higher_is_better=False,
            target="<= 1000 ms",
        )
    )
    record(figures)


if __name__ == "__main__":
    main()
