"""The whole test database, copied once the demo is loaded and copied back before each browser
test, so that the demo is loaded once per session instead of once per test.

Loading the demo through the product's services takes seconds; copying it back takes a fraction
of one. Both copies stay inside the database engine, so no value makes a round trip through
Python types:

- SQLite (the shared in-memory test database, which the live server thread uses through the
  same connection): the sqlite3 backup API, page by page, into a private in-memory database and
  back.
- PostgreSQL (which gunicorn and the Celery worker read): a copy of each table in a schema of
  its own; restoring truncates the tables and inserts the copies back in one transaction.

Primary keys and content type ids are those of the snapshot in every test, so a server process
that cached one is never wrong about it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.core.management.color import no_style
from django.db import transaction

SCHEMA = "e2e_snapshot"


class DatabaseSnapshot:
    def __init__(self, connection: Any) -> None:
        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self._copy: sqlite3.Connection | None = sqlite3.connect(":memory:")
            self._sqlite_backup(connection, into=self._copy)
        elif self.vendor == "postgresql":
            self.tables = sorted(
                connection.introspection.django_table_names(only_existing=True, include_views=False)
            )
            quote = connection.ops.quote_name
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {SCHEMA}")
                for table in self.tables:
                    cursor.execute(f"CREATE TABLE {SCHEMA}.{quote(table)} AS TABLE {quote(table)}")
        else:
            raise NotImplementedError(f"no snapshot for {self.vendor}")

    def restore(self, connection: Any) -> None:
        if self.vendor == "sqlite":
            assert self._copy is not None
            self._sqlite_backup(connection, source=self._copy)
        else:
            quote = connection.ops.quote_name
            flush = connection.ops.sql_flush(no_style(), self.tables, reset_sequences=False)
            # Foreign keys are checked at the commit (Django creates them DEFERRABLE INITIALLY
            # DEFERRED), so the order of the tables does not matter. Sequences are not reset:
            # new rows get ids above every snapshot id.
            with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                for statement in flush:
                    cursor.execute(statement)
                for table in self.tables:
                    cursor.execute(
                        f"INSERT INTO {quote(table)} SELECT * FROM {SCHEMA}.{quote(table)}"
                    )
        # The in-process cache of content type ids would otherwise outlive the rows it names.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()

    @staticmethod
    def _sqlite_backup(
        connection: Any,
        *,
        into: sqlite3.Connection | None = None,
        source: sqlite3.Connection | None = None,
    ) -> None:
        connection.ensure_connection()
        live = connection.connection
        if into is not None:
            live.backup(into)
        else:
            assert source is not None
            source.backup(live)
