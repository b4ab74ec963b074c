from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audit trail"

    def ready(self):
        from audits import checks, signals  # noqa: F401  (registers the checks, connects the auth receivers)
