"""Hand-built monthly reports for the delivery tests: real PNG and PDF bytes, no builder.

The delivery code sends whatever snapshot the month has; building one by hand tests sending
without Chromium and without the builder's data.
"""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime

from supportops.models import MonthlyReport, ReportChart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BUILT_AT = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


def tiny_png(rgb: tuple[int, int, int] = (4, 120, 87), size: int = 2) -> bytes:
    """A valid size×size PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (
        PNG_SIGNATURE
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def minimal_pdf(text: str = "SupportOps report") -> bytes:
    """A one-page PDF with a line of text and a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CHARTS = ["cost_trend", "coverage"]


def report_create(month: date = date(2026, 10, 1), *, has_data: bool = True) -> MonthlyReport:
    """A saved snapshot of `month` with two charts, each referenced by cid: in the HTML."""
    label = f"{month:%b %Y}"
    images = "".join(
        f'<img src="cid:{name}@supportops.report" alt="{name} chart" width="552">'
        for name in CHARTS
    )
    report = MonthlyReport.objects.create(
        month=month,
        built_at=BUILT_AT,
        has_data=has_data,
        data={"month": f"{month:%Y-%m}"},
        subject=f"SupportOps monthly report: {label}",
        html_email=f"<html><body><h1>{label}</h1><p>Tickets: 1,234</p>{images}</body></html>",
        text=f"SupportOps monthly report: {label}\n\nTickets: 1,234\n",
        archive_html=f"<h1>{label}</h1><p>Tickets: 1,234</p>",
        pdf=minimal_pdf(),
    )
    for position, name in enumerate(CHARTS):
        ReportChart.objects.create(
            report=report, name=name, position=position, png=tiny_png(), alt=f"{name} alt"
        )
    return report
