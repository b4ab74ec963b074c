from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audit trail"

    def ready(self):
        from audits import signals  # noqa: F401  (connects the auth signal receivers)
