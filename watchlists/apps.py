from django.apps import AppConfig


class WatchlistsConfig(AppConfig):
    name = "watchlists"
    verbose_name = "Watchlists: reference photos and face templates"

    def ready(self):
        from oversight.registry import case_readiness_check_register
        from watchlists import checks  # noqa: F401  (registers the start-up checks)
        from watchlists.selectors import case_reference_face_errors

        # A case is submitted or started only when every person has a ready reference face (R3, R12).
        case_readiness_check_register("watchlists.reference_faces", case_reference_face_errors)

        from oversight.registry import subject_face_search_register
        from watchlists.retention import register_retention, subject_probe_queue

        register_retention()  # R12, R19: reference photos and templates in the retention schedule
        subject_face_search_register(subject_probe_queue)  # R21: face search of data-subject requests

        from oversight.registry import case_photo_states_register
        from watchlists.selectors import case_photo_states

        case_photo_states_register(case_photo_states)  # the case page shows whether each face is ready
