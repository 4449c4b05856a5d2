from django.apps import AppConfig


class PhasesConfig(AppConfig):
    name = "phases"

    def ready(self) -> None:
        from . import panels

        panels.register()
