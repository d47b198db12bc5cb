"""Static rendering for the monthly report: charts to PNG (Plotly's Kaleido) and HTML to PDF,
both in the system Chromium (settings.CHROMIUM_BIN, else `chromium`/`chromium-browser` on
PATH), offline, under a wall-clock limit (settings.REPORT_RENDER_TIMEOUT).

Why a child process per call: a Chromium that hangs must not hang the report, and Kaleido's
own timeout only covers a figure, not a browser that never starts. The child is killed with
everything it started at the deadline (render_process.py), so the caller can rely on the
limit and fall back to the chart's table (issue #9). Nothing here ever downloads a browser or
loads a script from the network: Kaleido gets the plotly.js shipped inside the plotly package
and no MathJax, and the PDF's Chromium resolves no host names.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import plotly
from django.conf import settings
from plotly.utils import PlotlyJSONEncoder

from .render_process import Finished, run_bounded

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WORKER = Path(__file__).with_name("render_worker.py")

# Headless Chromium for printing: no background traffic, no GPU, no host name resolves (a
# document reaching for the network fails fast instead of waiting), small /dev/shm is fine.
PDF_FLAGS = [
    "--headless",
    "--disable-gpu",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--password-store=basic",
    "--use-mock-keychain",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
]
# Put first in <head>, so the document's own @page and colour rules win: A4 portrait unless the
# document says otherwise, and backgrounds printed as the email shows them.
PRINT_DEFAULTS = (
    "<style>@page { size: A4 portrait; } "
    "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }</style>"
)


class RenderError(Exception):
    """A chart or document could not be rendered; the message is written for a person reading
    the log or the admin."""


class ChartRenderError(RenderError):
    pass


class PdfRenderError(RenderError):
    pass


Figure = Any  # a plotly.graph_objects.Figure, or its dict ({"data": [...], "layout": {...}})


def chart_png(
    figure: Figure, *, width: int, height: int, scale: float = 2, timeout: float | None = None
) -> bytes:
    """The figure as a PNG of width*scale x height*scale pixels; ChartRenderError otherwise."""
    result = charts_png([(figure, width, height)], scale=scale, timeout=timeout)[0]
    if isinstance(result, ChartRenderError):
        raise result
    return result


def charts_png(
    figures: Sequence[tuple[Figure, int, int]],
    *,
    scale: float = 2,
    timeout: float | None = None,
) -> list[bytes | ChartRenderError]:
    """Each (figure, width, height) as PNG bytes, or the ChartRenderError that stopped it, in
    order. One browser serves them all (its start is most of the cost), and `timeout` bounds
    the whole call: charts finished by then are kept, the rest time out."""
    if not figures:
        return []
    limit = _limit(timeout)
    try:
        browser = chromium_bin()
        plotlyjs = _plotlyjs()
    except RenderError as error:
        return [ChartRenderError(str(error)) for _ in figures]
    charts, unreadable = [], {}
    for index, (figure, width, height) in enumerate(figures):
        try:
            encoded = _figure_json(figure)
        except (TypeError, ValueError) as error:
            unreadable[index] = ChartRenderError(f"chart render failed: not a figure: {error}")
            encoded = None  # the worker skips it
        charts.append({"figure": encoded, "width": width, "height": height, "scale": scale})
    if len(unreadable) == len(figures):
        return [unreadable[index] for index in range(len(figures))]
    with _workdir() as work:
        request = {
            "browser": browser,
            "plotlyjs": str(plotlyjs),
            "timeout": limit,
            "out": str(work),
            "profile_dir": str(work),
            "charts": charts,
        }
        request_path = work / "request.json"
        request_path.write_text(json.dumps(request), encoding="utf-8")
        finished = run_bounded(
            [sys.executable, str(WORKER), str(request_path)],
            timeout=limit,
            marker=work,
            # choreographer reads BROWSER_PATH when no path is given; set it too.
            env={**os.environ, "BROWSER_PATH": browser},
            stdout=work / "worker.out",
            stderr=work / "worker.err",
        )
        return [
            unreadable.get(index) or _chart_result(work, index, finished, limit)
            for index in range(len(figures))
        ]


def html_to_pdf(html: str, *, timeout: float | None = None) -> bytes:
    """A self-contained HTML document (images as data: URIs) printed to PDF by headless
    Chromium; PdfRenderError on any failure or at the time limit."""
    limit = _limit(timeout)
    try:
        browser = chromium_bin()
    except RenderError as error:
        raise PdfRenderError(str(error)) from None
    with _workdir() as work:
        page, pdf = work / "report.html", work / "report.pdf"
        page.write_text(_with_print_defaults(html), encoding="utf-8")
        argv = [
            browser,
            *PDF_FLAGS,
            *(["--no-sandbox"] if _is_root() else []),
            f"--user-data-dir={work / 'profile'}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        finished = run_bounded(
            argv,
            timeout=limit,
            marker=work,
            stdout=work / "chromium.out",
            stderr=work / "chromium.err",
        )
        if finished.timed_out:
            raise PdfRenderError(f"PDF render timed out after {limit:g} s")
        data = pdf.read_bytes() if pdf.is_file() else b""
        if not data.startswith(b"%PDF"):
            raise PdfRenderError(
                f"Chromium wrote no PDF (exit status {finished.returncode})"
                f"{_tail(work / 'chromium.err')}"
            )
        return data


def chromium_bin() -> str:
    """The Chromium executable: settings.CHROMIUM_BIN when set (a path or a name on PATH),
    else `chromium` or `chromium-browser` on PATH."""
    configured = getattr(settings, "CHROMIUM_BIN", "")
    if configured:
        found = shutil.which(configured)
        if not found:
            raise RenderError(
                f"Chromium not found at {configured}; set CHROMIUM_BIN to the Chromium executable"
            )
        return found
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    raise RenderError(
        "Chromium not found (neither chromium nor chromium-browser is on PATH); "
        "install it or set CHROMIUM_BIN"
    )


def _plotlyjs() -> Path:
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise RenderError(f"plotly.js not found at {path}; reinstall plotly (no CDN is used)")
    return path


def _figure_json(figure: Figure) -> str:
    """JSON text, one figure at a time, so a figure that cannot be encoded fails alone."""
    plain = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    return json.dumps(plain, cls=PlotlyJSONEncoder)


def _chart_result(
    work: Path, index: int, finished: Finished, limit: float
) -> bytes | ChartRenderError:
    png, error = work / f"{index}.png", work / f"{index}.error"
    if png.is_file():
        data = png.read_bytes()
        if data.startswith(PNG_SIGNATURE):
            return data
        return ChartRenderError(
            f"chart render failed: Kaleido returned {len(data)} bytes, not a PNG"
        )
    if error.is_file():
        return ChartRenderError(f"chart render failed: {_read(error)}")
    if finished.timed_out:
        started = (work / "ready").is_file()
        reason = "" if started else " (Chromium had not started)"
        return ChartRenderError(f"chart render timed out after {limit:g} s{reason}")
    if (work / "failed").is_file():
        return ChartRenderError(f"chart render failed: {_read(work / 'failed')}")
    return ChartRenderError(
        f"chart renderer exited with status {finished.returncode}{_tail(work / 'worker.err')}"
    )


def _limit(timeout: float | None) -> float:
    limit = settings.REPORT_RENDER_TIMEOUT if timeout is None else timeout
    if limit <= 0:
        raise ValueError(f"render timeout must be positive, got {limit!r}")
    return float(limit)


@contextmanager
def _workdir() -> Iterator[Path]:
    # Chromium may still be unwinding its profile after the kill: cleanup must not fail.
    with tempfile.TemporaryDirectory(prefix="supportops-render-", ignore_cleanup_errors=True) as d:
        yield Path(d)


def _with_print_defaults(html: str) -> str:
    head = re.search(r"<head\b[^>]*>", html, flags=re.IGNORECASE)
    if head:
        return html[: head.end()] + PRINT_DEFAULTS + html[head.end() :]
    return PRINT_DEFAULTS + html


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace").strip()[:1000]


def _tail(path: Path, lines: int = 3) -> str:
    """The last lines of a child's stderr, for the error message (`: ...`, or nothing)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return (": " + " | ".join(kept))[:1000] if kept else ""
