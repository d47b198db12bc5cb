"""The WSGI application. Without DJANGO_SETTINGS_MODULE it runs the production settings
(supportops/settings/choose.py), which refuse the published demo SECRET_KEY."""

from django.core.wsgi import get_wsgi_application

from .settings.choose import settings_module_choose

settings_module_choose()
application = get_wsgi_application()
