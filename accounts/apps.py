from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in security"

    def ready(self):
        from accounts import checks, signals  # noqa: F401  (production checks; stamps sign-in time, records lockouts)
