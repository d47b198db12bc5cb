"""`?format=` names a parameter like any other: a value no renderer has is a 400 naming it.

DRF answers it with a bare 404, which reads as "no such endpoint" and is not what the schema
(an enum of the formats) says of a bad value.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            formats = ", ".join(sorted({r.format for r in renderers}))
            raise ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE: [f"Not a format: pick one of {formats}."]}
            )
        return matching
