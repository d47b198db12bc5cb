"""Chart PNGs (Kaleido) and the report PDF, rendered for real by the system Chromium, offline,
and bounded in time: a hanging browser is killed with everything it started."""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess
import tempfile
import time
import zlib
from base64 import b64encode
from pathlib import Path

import plotly.graph_objects as go
import pytest

from metrics.report.render import (
    ChartRenderError,
    PdfRenderError,
    RenderError,
    chart_png,
    charts_png,
    html_to_pdf,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="needs chromium: run through `make test`")
RED, WHITE = (255, 0, 0), (255, 255, 255)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch, settings):
    """Renders work in tmp_path, so "nothing left behind" can look for processes naming it
    without seeing another test run's renders on the same machine."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    settings.CHROMIUM_BIN = CHROMIUM or ""
    return tmp_path


def _survivors(marker: Path) -> list[str]:
    """Live processes whose command line names `marker`, after giving SIGKILLs a moment."""
    found: list[str] = []
    for _ in range(50):
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(marker) in cmdline:
                found.append(f"{entry.name}: {cmdline[:200]}")
        if not found:
            return []
        time.sleep(0.05)
    return found


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", png[16:24])


def _png_colours(png: bytes) -> dict[tuple[int, int, int], int]:
    """Pixel count per RGB colour of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium
    writes); enough of a decoder to see what the chart shows without Pillow."""
    width, height = _png_size(png)
    depth, colour_type, _, _, interlace = png[24:29]
    assert (depth, colour_type, interlace) in ((8, 6, 0), (8, 2, 0))
    channels = 4 if colour_type == 6 else 3
    data, pos = b"", 8
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw, stride = zlib.decompress(data), width * channels
    previous, counts = bytearray(stride), {}
    for y in range(height):
        kind, row = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                guess = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                row[i] = (row[i] + guess) & 255
        for x in range(0, stride, channels):
            colour = tuple(row[x : x + 3])
            counts[colour] = counts.get(colour, 0) + 1
        previous = row
    return counts


def _bars(colour: str, values: list[int]) -> go.Figure:
    return go.Figure(
        go.Bar(x=["Jan", "Feb", "Mar"], y=values, marker_color=colour),
        layout={
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "showlegend": False,
            "margin": {"l": 30, "r": 10, "t": 10, "b": 30},
        },
    )


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers: whatever loads from it
    waits forever, which is how a render hangs inside a live Chromium."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()


def _fake_chromium(directory: Path, body: str) -> Path:
    directory.mkdir(exist_ok=True)
    script = directory / "chromium"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


@pytest.mark.usefixtures("private_tmp")
@pytest.mark.services
@needs_chromium
def test_chart_png_is_a_png_of_the_scaled_size_in_the_figure_colours():
    scale = 2
    png = chart_png(_bars("rgb(255,0,0)", [3, 5, 4]), width=200, height=120, scale=scale)

    assert _png_size(png) == (200 * scale, 120 * scale)
    colours = _png_colours(png)
    pixels = 200 * scale * 120 * scale
    # Three bars over most of the plot's height: a good share of the image is pure red, the
    # rest mostly white background (axis labels and grid lines are the few other colours).
    assert colours[RED] > pixels * 0.2
    assert colours[WHITE] > pixels * 0.4


@pytest.mark.services
@needs_chromium
def test_a_batch_keeps_what_rendered_when_one_chart_fails_and_another_hangs(
    private_tmp, silent_server
):
    hanging = go.Figure(
        go.Bar(y=[1, 2]),
        layout={
            "images": [
                {"source": f"{silent_server}/logo.png", "xref": "paper", "yref": "paper"}
                | {"x": 0, "y": 1, "sizex": 0.5, "sizey": 0.5}
            ]
        },
    )
    malformed = {"data": {"type": "bar"}, "layout": {}}  # plotly.js wants a list of traces
    started = time.monotonic()

    unencodable = {"data": [{"type": "bar", "y": [object()]}], "layout": {}}
    first, broken, second, odd, hung = charts_png(
        [
            (_bars("rgb(255,0,0)", [1, 2, 3]), 320, 200),
            (malformed, 100, 100),
            (_bars("rgb(0,0,255)", [3, 2, 1]), 250, 150),
            (unencodable, 100, 100),
            (hanging, 200, 100),
        ],
        scale=1,
        timeout=10,
    )

    elapsed = time.monotonic() - started
    assert _png_size(first) == (320, 200) and RED in _png_colours(first)
    assert _png_size(second) == (250, 150) and (0, 0, 255) in _png_colours(second)
    assert isinstance(broken, ChartRenderError)
    assert str(broken).startswith("chart render failed: KaleidoError: ")
    assert "non-array figure data" in str(broken)
    assert str(odd).startswith("chart render failed: not a figure: Object of type object")
    assert isinstance(hung, ChartRenderError)
    assert str(hung).startswith("chart render timed out after 10 s")
    assert 10 <= elapsed < 14
    assert _survivors(private_tmp) == []


def test_a_browser_that_never_answers_is_killed_at_the_deadline(private_tmp, settings):
    bin_dir = private_tmp / "bin"
    # Copies of sleep in tmp_path, one in the background: its whole tree must die.
    settings.CHROMIUM_BIN = str(
        _fake_chromium(
            bin_dir,
            f"cp /bin/sleep {bin_dir}/sleeper\n{bin_dir}/sleeper 600 &\n{bin_dir}/sleeper 601\n",
        )
    )
    started = time.monotonic()

    with pytest.raises(ChartRenderError) as raised:
        chart_png(_bars("red", [1, 2, 3]), width=300, height=200, timeout=1.5)

    assert str(raised.value) == "chart render timed out after 1.5 s (Chromium had not started)"
    assert time.monotonic() - started < 4
    assert _survivors(private_tmp) == []

    started = time.monotonic()
    with pytest.raises(PdfRenderError, match=r"^PDF render timed out after 1\.5 s$"):
        html_to_pdf("<p>report</p>", timeout=1.5)
    assert time.monotonic() - started < 4
    assert _survivors(private_tmp) == []


def test_a_browser_that_dies_at_start_says_why(private_tmp, settings):
    settings.CHROMIUM_BIN = str(
        _fake_chromium(private_tmp / "bin", "echo 'cannot open display :0' >&2\nexit 3\n")
    )

    [result] = charts_png([(_bars("red", [1, 2, 3]), 300, 200)], timeout=20)
    with pytest.raises(PdfRenderError) as raised:
        html_to_pdf("<p>report</p>", timeout=20)

    assert str(result) == (
        f"chart render failed: Chromium at {settings.CHROMIUM_BIN} closed right after "
        "starting: cannot open display :0"
    )
    assert str(raised.value) == "Chromium wrote no PDF (exit status 3): cannot open display :0"


def test_missing_chromium_is_named_with_the_setting_to_fix(private_tmp, settings, monkeypatch):
    settings.CHROMIUM_BIN = str(private_tmp / "no-such-chromium")
    expected = f"Chromium not found at {settings.CHROMIUM_BIN}; set CHROMIUM_BIN to the Chromium executable"

    with pytest.raises(ChartRenderError) as chart:
        chart_png(_bars("red", [1]), width=100, height=100)
    with pytest.raises(PdfRenderError) as pdf:
        html_to_pdf("<p>report</p>")

    assert str(chart.value) == str(pdf.value) == expected
    assert isinstance(chart.value, RenderError) and isinstance(pdf.value, RenderError)

    settings.CHROMIUM_BIN = ""
    monkeypatch.setenv("PATH", str(private_tmp))
    with pytest.raises(ChartRenderError, match="neither chromium nor chromium-browser is on PATH"):
        chart_png(_bars("red", [1]), width=100, height=100)


def test_a_timeout_must_be_positive(private_tmp):
    with pytest.raises(ValueError, match="render timeout must be positive"):
        chart_png(_bars("red", [1]), width=100, height=100, timeout=0)


def _pdf_page_one(pdf: bytes, directory: Path) -> bytes:
    if not shutil.which("pdftoppm"):
        pytest.skip("needs pdftoppm (poppler-utils): scripts/test-services installs it")
    (directory / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "report.pdf", "page"],
        cwd=directory,
        check=True,
        timeout=30,
    )
    [page] = directory.glob("page*.png")
    return page.read_bytes()


def _tiny_png(rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + bytes(rgb) * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.services
@needs_chromium
def test_html_to_pdf_prints_an_a4_page_that_pdftoppm_renders(private_tmp):
    image = "data:image/png;base64," + b64encode(_tiny_png(RED)).decode()
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Report</title></head><body>"
        f"<h1>November 2026</h1><p>Tickets: 1,234</p>"
        f"<img src='{image}' width='300' height='150' alt='cost trend'></body></html>"
    )

    pdf = html_to_pdf(html, timeout=30)

    assert pdf.startswith(b"%PDF")
    page = _pdf_page_one(pdf, private_tmp)
    # A4 at 50 dpi: 8.27 x 11.69 in.
    width, height = _png_size(page)
    assert (abs(width - 413), abs(height - 585)) <= (1, 1)
    assert _png_colours(page).get(RED, 0) > 1000  # the data: image is printed
    assert _survivors(private_tmp) == []


@pytest.mark.services
@needs_chromium
def test_the_documents_own_page_size_wins(private_tmp):
    html = "<html><head><style>@page { size: letter landscape; }</style></head><body>x</body>"

    width, height = _png_size(_pdf_page_one(html_to_pdf(html, timeout=30), private_tmp))

    assert (width, height) == (550, 425)


@pytest.mark.services
@needs_chromium
def test_a_pdf_that_hangs_in_chromium_times_out_and_chromium_is_killed(private_tmp):
    # The page never finishes loading, so Chromium never prints.
    html = "<html><body><p>report</p><script>while (true) {}</script></body></html>"
    started = time.monotonic()

    with pytest.raises(PdfRenderError, match=r"^PDF render timed out after 3 s$"):
        html_to_pdf(html, timeout=3)

    assert time.monotonic() - started < 6
    assert _survivors(private_tmp) == []
