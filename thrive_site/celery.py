"""Celery application. Tasks are an interface like views: an id in, one service call."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thrive_site.settings")

app = Celery("thrive_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
