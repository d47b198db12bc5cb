"""What the page frame (templates/base.html) shows on every signed-in page.

Project wiring, like urls.py: it joins the schedule (which sources are configured) to the
freshness metric, so the frame never needs a view's help.
"""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from metrics.freshness import data_freshness

from .schedules import sync_intervals


def frame(request):
    """Data freshness per source; lazy, so pages without a signed-in user run no query."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}

    return {
        "freshness": SimpleLazyObject(
            lambda: data_freshness(schedules=sync_intervals(), now=timezone.now())
        )
    }
