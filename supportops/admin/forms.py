"""Admin form fields for values stored as JSON that people write as text."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator

from supportops.models import Customer

_SEPARATORS = re.compile(r"[,;\n]")
_is_domain = DomainNameValidator()


class DomainListField(forms.Field):
    """A JSON list of e-mail domains, edited as "acme.com, acme.io": lower-cased, de-duplicated."""

    widget = forms.TextInput(attrs={"class": "vTextField", "placeholder": "acme.com, acme.io"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return list(value)
        domains = (part.strip().lower() for part in _SEPARATORS.split(value or ""))
        return list(dict.fromkeys(domain for domain in domains if domain))

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        bad = [domain for domain in value if not _valid(domain)]
        if bad:
            names = ", ".join(f"“{domain}”" for domain in bad)
            raise ValidationError(
                f"Not a domain name: {names}. Enter domains like acme.com, separated by commas.",
                code="invalid",
            )


def _valid(domain: str) -> bool:
    try:
        _is_domain(domain)
    except ValidationError:
        return False
    return True


class CustomerAdminForm(forms.ModelForm):
    domains = DomainListField(
        required=False,
        help_text="E-mail domains, separated by commas: records that share no id with a "
        "customer are linked to it by these.",
    )

    class Meta:
        model = Customer
        fields = ["name", "domains"]
