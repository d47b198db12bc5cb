"""Test settings: the suite runs against whatever DATABASE_URL says (PostgreSQL in CI)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CELERY_TASK_ALWAYS_EAGER = True
DERIVED_REFRESH_AFTER_SYNC = False  # tests that need it turn it on
# Tests roll the database back and the data version with it: a shared cache would hand one
# test another's results (the cache tests turn a real one on).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
CONNECTOR_BACKOFF_SECONDS = 0.01
