import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from supportops.models import MetricSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def settings_row(db):
    return MetricSettings.load()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("lead", password=PASSWORD, is_staff=True)


@pytest.fixture
def analyst(django_user_model):
    return django_user_model.objects.create_user("analyst", password=PASSWORD)


def _token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def staff_client(staff_user):
    return _token_client(staff_user)


@pytest.fixture
def analyst_client(analyst):
    return _token_client(analyst)
