"""List filters that offer only the values some row has.

Django's choice and yes/no filters list every value the field allows (a "Stripe" source on
tickets, which never come from Stripe); its related filter lists every row of the other table.
These keep Django's filters, URLs and labels, and drop the values no row has. Text fields
already list their distinct values; the empty one is named instead of shown as a blank link.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models


def _present(model_admin, request, field_path: str) -> set:
    rows = model_admin.get_queryset(request).order_by()
    return set(rows.values_list(field_path, flat=True).distinct())


class PresentChoicesFilter(admin.ChoicesFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.present = _present(model_admin, request, field_path)

    def choices(self, changelist):
        # Django yields "All", then one choice per non-null value in order, then the null one.
        choices = super().choices(changelist)
        yield next(choices)
        values = [value for value, _ in self.field.flatchoices if value is not None]
        for value, choice in zip(values, choices, strict=False):  # the null choice follows
            if value in self.present:
                yield choice
        yield from choices


class PresentBooleanFilter(admin.BooleanFieldListFilter):
    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.present = _present(model_admin, request, field_path)

    def choices(self, changelist):
        # Django yields "All", "Yes", "No", then "Unknown" for a nullable field.
        choices = super().choices(changelist)
        yield next(choices)
        for value, choice in zip((True, False, None), choices, strict=False):
            if value in self.present:
                yield choice


class TextValuesFilter(admin.AllValuesFieldListFilter):
    BLANK = "(none)"

    def choices(self, changelist):
        # Django yields "All", then one choice per non-null value in order, then the null one.
        choices = super().choices(changelist)
        yield next(choices)
        values = [value for value in self.lookup_choices if value is not None]
        for value, choice in zip(values, choices, strict=False):
            yield choice if value else {**choice, "display": self.BLANK + choice["display"]}
        yield from choices


def present_only(model, list_filter) -> list:
    """`list_filter` with each plain choice, yes/no, text or related field given a filter above."""
    return [_present_only(model, item) for item in list_filter]


def _present_only(model, item):
    if not isinstance(item, str) or "__" in item:
        return item
    try:
        field = model._meta.get_field(item)
    except FieldDoesNotExist:
        return item
    if field.is_relation:
        return (item, admin.RelatedOnlyFieldListFilter)
    if field.choices:
        return (item, PresentChoicesFilter)
    if isinstance(field, models.BooleanField):
        return (item, PresentBooleanFilter)
    if isinstance(field, models.CharField | models.TextField):
        return (item, TextValuesFilter)
    return item
