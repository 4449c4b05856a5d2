from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "toolkit"

    def ready(self) -> None:
        from . import alerts, chart_annotations, step_work
        from .learning import panels

        panels.register()
        chart_annotations.register()
        alerts.register()
        step_work.register()
