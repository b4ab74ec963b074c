from django.apps import AppConfig


class WatchlistsConfig(AppConfig):
    name = "watchlists"
    verbose_name = "Watchlists: reference photos and face templates"

    def ready(self):
        from oversight.registry import case_photo_states_register, case_readiness_check_register
        from watchlists import checks  # noqa: F401  (registers the start-up checks)
        from watchlists.selectors import case_photo_states, case_reference_face_errors

        # A case is submitted or started only when every person has a ready reference face (R3, R12).
        case_readiness_check_register("watchlists.reference_faces", case_reference_face_errors)
        case_photo_states_register(case_photo_states)  # the case page shows whether each face is ready
