from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    name = "recognition"
    verbose_name = "Recognition: scans, sightings and alerts"

    def ready(self):
        from recognition.plugins import register_with_lower_layers

        register_with_lower_layers()
