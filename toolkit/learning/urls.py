"""The learning library (stories' pages come from toolkit/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [path("library/", views.library, name="library")]
