from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from . import panels
        from .charts import services as chart_services
        from .models import Measure

        post_save.connect(
            chart_services.on_measure_saved, sender=Measure, dispatch_uid="measures.charts.measure"
        )
        panels.register()
