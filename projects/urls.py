from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("programme/", views.programme, name="programme"),
    path("programme/audit/", views.audit_trail, name="audit-trail"),
    path("programme/sharing/", views.programme_sharing, name="programme-sharing"),
    path(
        "programme/sharing/<int:link_id>/revoke/",
        views.programme_sharing_revoke,
        name="programme-sharing-revoke",
    ),
    path("sites/", views.site_list, name="site-list"),
    path("sites/<str:site_code>/", views.site_detail, name="site-detail"),
    path("sites/<str:site_code>/projects/new/", views.project_create, name="project-create"),
    path(
        "sites/<str:site_code>/projects/<int:project_id>/",
        views.project_detail,
        name="project-detail",
    ),
    path("sites/<str:site_code>/sharing/", views.sharing, name="sharing"),
    path(
        "sites/<str:site_code>/sharing/<int:link_id>/revoke/",
        views.sharing_revoke,
        name="sharing-revoke",
    ),
    path("sites/<str:site_code>/meeting-pack.pdf", views.meeting_pack, name="meeting-pack"),
    path(
        "sites/<str:site_code>/events/<int:event_id>/",
        views.event_attendance,
        name="event-attendance",
    ),
    path(
        "sites/<str:site_code>/projects/<int:project_id>/edit/",
        views.project_edit,
        name="project-edit",
    ),
]
