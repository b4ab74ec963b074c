from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition: scans, sightings and alerts"

    def ready(self):
        from recognition import checks  # noqa: F401  (registers the start-up checks)
        from recognition.plugins import register_with_lower_layers

        register_with_lower_layers()
