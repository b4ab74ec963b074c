from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in security"

    def ready(self):
        from accounts import signals  # noqa: F401  (stamps sign-in time, records lockouts)
