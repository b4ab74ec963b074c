from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in security"

    def ready(self):
        from accounts import checks, signals  # noqa: F401  (production checks; stamps sign-in time, records lockouts)
        from accounts.models import SecondFactorReset
        from audits import texts

        texts.register(SecondFactorReset._meta.label, _reset_texts)


def _reset_texts(pk: int) -> list[tuple[str, str]]:
    from django.utils.translation import gettext

    from accounts.models import SecondFactorReset

    reset = SecondFactorReset.objects.filter(pk=pk).first()
    return [] if reset is None else [(gettext("Reason for the reset"), reset.reason)]
