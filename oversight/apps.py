from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Cases and authorisation"

    def ready(self):
        from oversight import checks  # noqa: F401  (registers the start-up checks)
        from oversight.roles import sync_role_permissions

        # Every app's post_migrate, not only ours: role permissions name models
        # of later apps (recognition), whose permissions exist only once that
        # app's own post_migrate has run. The sync is idempotent.
        post_migrate.connect(sync_role_permissions, dispatch_uid="oversight_role_permissions")
