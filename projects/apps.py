from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Sites and people"

    def ready(self) -> None:
        from . import audit, contributions

        contributions.register()
        audit.connect()
