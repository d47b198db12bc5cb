"""Pictures of the monthly report for docs/report/: the HTML email as a mail client shows it at
600 px (desktop) and 375 px (phone), and page 1 of its PDF.

Run against the demo database after `make demo` has built it:
    DATABASE_URL=sqlite:///var/demo.sqlite3 .venv/bin/python scripts/report_screenshots.py
It builds (or reuses; `--rebuild` makes it anew) last month's report through the same snapshot the sender uses, swaps each
`cid:` for the stored chart (a mail client does the same from the inline parts), and renders
with headless Chromium; pdftoppm renders the PDF.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportops.settings.base")
OUT = ROOT / "docs" / "report"


def main() -> None:
    import django

    django.setup()
    from django.utils import timezone
    from playwright.sync_api import sync_playwright

    from metrics.periods import Month
    from metrics.report.documents import cid
    from metrics.report.render import chromium_bin
    from metrics.report.snapshot import report_for
    from supportops.models import MetricSettings

    now = timezone.now()
    tz = __import__("zoneinfo").ZoneInfo(MetricSettings.load().reporting_timezone)
    rebuild = "--rebuild" in sys.argv[1:]  # after changing the report's look
    report = report_for(Month.containing(now, tz).shift(-1), now=now, rebuild=rebuild)
    html = report.html_email
    for chart in report.charts.all():
        data = base64.b64encode(bytes(chart.png)).decode()
        html = html.replace(f"cid:{cid(chart.name)}", f"data:image/png;base64,{data}")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "email.html"
        page_file.write_text(html)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_bin(), args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            for width in (600, 375):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(page_file.as_uri())
                target = OUT / f"email-{width}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
            browser.close()
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(bytes(report.pdf))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
             str(OUT / "pdf-page-1")],
            check=True, timeout=120,
        )  # fmt: skip
        print(OUT / "pdf-page-1.png")


if __name__ == "__main__":
    main()
