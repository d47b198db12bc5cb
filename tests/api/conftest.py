import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from supportops.models import MetricSettings
from tests.auth_tokens import token_client

PASSWORD = "correct horse battery staple"


@pytest.fixture
def settings_row(db):
    return MetricSettings.load()


# What a staff editor of the cost inputs holds in admin; the API asks the same permissions.
EDITOR_MODELS = ["teammember", "expense", "product", "productrule", "metricsettings"]


@pytest.fixture
def staff_user(django_user_model):
    user = django_user_model.objects.create_user("lead", password=PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="supportops", content_type__model__in=EDITOR_MODELS
        )
    )
    return user


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst", password=PASSWORD)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def staff_client(staff_user):
    return token_client(staff_user)


@pytest.fixture
def analyst_client(analyst):
    return token_client(analyst)
