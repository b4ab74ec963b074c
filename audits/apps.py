from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = "Audit trail"

    def ready(self):
        from audits import checks, signals, texts  # noqa: F401  (registers the checks, connects the auth receivers)
        from audits.models import AuditDisclosure

        texts.register(AuditDisclosure._meta.label, _disclosure_texts)


def _disclosure_texts(pk: int) -> list[tuple[str, str]]:
    from django.utils.translation import gettext, pgettext

    from audits.models import AuditDisclosure

    disclosure = AuditDisclosure.objects.filter(pk=pk).first()
    if disclosure is None:
        return []
    rows = [(gettext("Justification"), disclosure.justification), (gettext("Recipients"), disclosure.recipients)]
    if disclosure.filters:
        given = ", ".join(f"{name}: {value}" for name, value in sorted(disclosure.filters.items()))
        rows.append((pgettext("export filters", "Filters"), given))
    return rows
