from typing import Any

import orjson
from django.apps import AppConfig
from django.db.backends.signals import connection_created
from psycopg.adapt import Loader


class OrjsonLoader(Loader):
    def load(self, data: Any) -> Any:
        return orjson.loads(data)


def json_read_by_orjson(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Series are stored in `json` columns (models.SeriesField), which psycopg reads into
    Python itself, with the standard library by default; orjson reads a programme's million
    figures several times as fast. Only `json` is changed: Django reads `jsonb` (its own
    JSONField) as text and decodes it in the field."""
    if connection.vendor == "postgresql":
        connection.connection.adapters.register_loader("json", OrjsonLoader)


class MeasuresConfig(AppConfig):
    name = "measures"

    def ready(self) -> None:
        from . import panels

        panels.register()
        connection_created.connect(json_read_by_orjson, dispatch_uid="measures.json_orjson")
