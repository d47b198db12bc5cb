import pytest

from supportops.models import MetricSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user("viewer", password=PASSWORD)


@pytest.fixture
def signed_in(client, viewer):
    MetricSettings.load()
    client.force_login(viewer)
    return client
