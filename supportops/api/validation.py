"""Model validation in serializers: the model's own `full_clean()` (field validators, `clean()`,
constraints) runs on the would-be instance, so the API gives the messages admin gives."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings


class FullCleanMixin:
    """For a ModelSerializer: validate a copy of the instance with the request's values applied.

    Only for models without many-to-many fields among the serializer's fields.
    """

    full_clean_exclude: tuple[str, ...] = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is not None:
            candidate = model(
                **{
                    f.attname: getattr(self.instance, f.attname)
                    for f in model._meta.concrete_fields
                }
            )
        else:
            candidate = model()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=list(self.full_clean_exclude), validate_unique=False)
        except DjangoValidationError as e:
            errors = e.message_dict
            if NON_FIELD_ERRORS in errors:
                errors[api_settings.NON_FIELD_ERRORS_KEY] = errors.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(errors) from None
        return attrs
