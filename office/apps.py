from django.apps import AppConfig


class OfficeConfig(AppConfig):
    name = "office"
    verbose_name = "The data protection office: reports, data-subject requests, retention"

    def ready(self):
        from office import checks  # noqa: F401  (registers the start-up checks)
        from office.services.retention import case_data_purge_queue
        from oversight.registry import case_data_purge_queue_register

        # R9: a transition in oversight that ends an urgent use without authorisation queues the office's purge.
        case_data_purge_queue_register(case_data_purge_queue)
        # THE hold rule (oversight.holds): what data-subject requests keep, asked by every deletion path (R21).
        from office.services.holds import open_request_held, restriction_held
        from oversight.holds import hold_register

        hold_register("restriction", restriction_held)
        hold_register("open_request", open_request_held)

        from audits import texts
        from oversight.models import DataSubjectRequestItem

        texts.register(DataSubjectRequestItem._meta.label, _lift_texts)


def _lift_texts(pk: int) -> list[tuple[str, str]]:
    from django.utils.translation import gettext

    from oversight.models import DataSubjectRequestItem

    reason = DataSubjectRequestItem.objects.filter(pk=pk).values_list("lift_reason", flat=True).first()
    return [(gettext("Why the restriction was lifted"), reason)] if reason else []
