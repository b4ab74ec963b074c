import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from audits.checks import refuse_owner_connection  # noqa: E402  (needs the settings get_wsgi_application loaded)

refuse_owner_connection()
