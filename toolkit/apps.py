from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "toolkit"

    def ready(self) -> None:
        from .learning import panels

        panels.register()
