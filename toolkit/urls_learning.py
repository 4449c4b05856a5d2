"""URLs of implementation stories and the learning library."""

from django.urls import path

from toolkit.learning import views as v

from .urls_improvement import P, item_paths

ST = f"{P}story/<int:story_id>/"

urlpatterns = [
    *item_paths(v.STORY),
    path(ST, v.story_detail, name="story-detail"),
    path(f"{ST}print/", v.story_print, name="story-print"),
    path("library/", v.library, name="library"),
]
