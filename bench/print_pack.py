"""Noticeboard pack build time: one language and all seven, against a one-page ReportLab doc.

The pack is built through service.printing.build_pack (what the CLI and console call) on the
demo council's Eastfield Depot. The baseline is a one-page ReportLab document with a heading
and a paragraph in Noto Sans, built in the same run, so the ratio says how much one pack page
costs compared with the cheapest page ReportLab can make with the same fonts.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import Figure, record

RUNS = 3
BASELINE_RUNS = 30


def one_page_doc() -> float:
    """Seconds to build a one-page document with the pack's fonts."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from print_templates.style import Look

    look = Look()
    started = time.perf_counter()
    SimpleDocTemplate(io.BytesIO()).build(
        [
            Paragraph("What's on at Eastfield Depot", look.style("title", "en")),
            Paragraph(
                "Friday 27 November, 12:30: Cuppa and chat. Canteen.", look.style("body", "en")
            ),
        ]
    )
    return time.perf_counter() - started


def main() -> None:
    from alembic import command as alembic_command

    from service import create_app
    from service.config import Config
    from service.db import get_database, utcnow
    from service.demo import load_demo
    from service.languages import CODES
    from service.migrations import alembic_config
    from service.printing.operations import build_pack, find_site

    folder = tempfile.mkdtemp(prefix="print-bench-")
    url = f"sqlite:///{folder}/bench.db"
    app = create_app(
        Config(ENV="development", INSTANCE_DIR=folder, DATABASE_URL=url, LOG_LEVEL="WARNING")
    )
    figures = []
    with app.app_context():
        alembic_command.upgrade(alembic_config(url), "head")
        database = get_database(app)
        with database.session() as session:
            load_demo(session)
        one_page_doc()  # fonts registered and files read before anything is timed
        baseline = statistics.median(one_page_doc() for _ in range(BASELINE_RUNS)) * 1000
        for label, codes in (("1 language", ("en",)), ("7 languages", CODES)):
            times, pages = [], 0
            for _ in range(RUNS):
                with database.session() as session:
                    site = find_site(session, "eastfield-depot")
                    started = time.perf_counter()
                    pack = build_pack(
                        session, site, codes, public_url="https://example.org", now=utcnow()
                    )
                    times.append((time.perf_counter() - started) * 1000)
                    pages = pack.pages
            total = statistics.median(times)
            figures.append(
                Figure(
                    "print_pack",
                    f"{label}: whole pack ({pages} pages)",
                    total,
                    baseline,
                    "ms",
                    higher_is_better=False,
                )
            )
            figures.append(
                Figure(
                    "print_pack",
                    f"{label}: per page",
                    total / pages,
                    baseline,
                    "ms",
                    higher_is_better=False,
                )
            )
    record(figures)


if __name__ == "__main__":
    main()
