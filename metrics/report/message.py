"""The report as one email: the MIME tree every mail client reads the same way.

    multipart/mixed
      multipart/alternative
        text/plain                      the text part
        multipart/related
          text/html                     the HTML part, images by cid:
          image/png ...                 one per chart, Content-ID <name@supportops.report>
      application/pdf                   supportops-report-YYYY-MM.pdf

Charts inline in a multipart/related beside the HTML (not loose attachments) are what
Outlook, Gmail and Apple Mail all show in place; the PDF outside the alternative is what they
all list as an attachment. The stdlib's `email.message.EmailMessage` builds exactly this tree;
Django's EmailMultiAlternatives cannot nest a related part inside the alternative, so
`ReportEmail` wraps the stdlib message for Django's mail backends (SMTP, file, memory).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmail

CID_DOMAIN = "supportops.report"


class _Mime(MimeMessage):
    """Django's SMTP backend asks for `as_bytes(linesep="\\r\\n")`; the stdlib takes a policy."""

    def as_bytes(self, unixfrom=False, linesep="\n"):
        return super().as_bytes(unixfrom, policy=self.policy.clone(linesep=linesep))


class ReportEmail(DjangoEmail):
    """A Django email whose MIME is built beforehand (Django's backends call `message()`)."""

    def __init__(self, mime: _Mime, *, to: str):
        super().__init__(subject=str(mime["Subject"]), from_email=str(mime["From"]), to=[to])
        self.mime = mime

    def message(self, *, policy=None):  # noqa: ARG002 (the signature Django calls)
        return self.mime


def message_domain() -> str:
    """The sender's domain: Message-IDs are unique under a domain the sender controls."""
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "supportops.local"


def report_message_id(month: date, address: str, *, test_id: int | None = None) -> str:
    """The same for every attempt and resend to an address for a month, so a duplicate is
    recognisable downstream (mail servers and clients may drop a repeated Message-ID); a test
    send is its own message."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]
    kind = "report" if test_id is None else f"report-test-{test_id}"
    return f"<{kind}-{month:%Y-%m}.{digest}@{message_domain()}>"


def chart_cid(name: str) -> str:
    return f"{name}@{CID_DOMAIN}"


def pdf_filename(month: date) -> str:
    return f"supportops-report-{month:%Y-%m}.pdf"


def report_email(
    report, *, address: str, name: str = "", message_id: str, now: datetime, charts=None
) -> ReportEmail:
    """The email of `report` (a MonthlyReport) to one address.

    `charts`: the report's ReportChart rows in position order (default: the saved report's, or
    an unsaved preview's `chart_list`).
    """
    if charts is None:
        saved = report.pk is not None
        charts = list(report.charts.order_by("position")) if saved else report.chart_list
    mime = _Mime(policy=policy.SMTP)
    mime["Subject"] = report.subject
    mime["From"] = settings.DEFAULT_FROM_EMAIL
    mime["To"] = Address(display_name=name, addr_spec=address) if name else address
    mime["Date"] = format_datetime(now)
    mime["Message-ID"] = message_id
    # An automatic message (RFC 3834): out-of-office replies are not sent back to it.
    mime["Auto-Submitted"] = "auto-generated"
    mime["X-Auto-Response-Suppress"] = "All"
    mime.set_content(report.text, subtype="plain", cte="quoted-printable")
    mime.add_alternative(report.html_email, subtype="html", cte="quoted-printable")
    html = mime.get_payload()[1]
    for chart in charts:
        html.add_related(
            bytes(chart.png),
            maintype="image",
            subtype="png",
            cid=f"<{chart_cid(chart.name)}>",
            disposition="inline",
            filename=f"{chart.name}.png",
        )
    if charts:  # RFC 2387: the related part names the type of its root part
        html.set_param("type", "text/html")
    if report.pdf:  # empty when Chromium could not print it: the email says so instead
        mime.add_attachment(
            bytes(report.pdf),
            maintype="application",
            subtype="pdf",
            filename=pdf_filename(report.month),
        )
    return ReportEmail(mime, to=address)
