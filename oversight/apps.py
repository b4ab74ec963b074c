from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Cases and authorisation"

    def ready(self):
        from oversight.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self, dispatch_uid="oversight_role_permissions")
