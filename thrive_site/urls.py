from django.contrib import admin
from django.urls import include, path

from measures.charts import views as chart_views
from projects import views as project_views
from thrive_site.health import healthz

admin.site.site_header = "THRIVE Tracker administration"
admin.site.site_title = "THRIVE Tracker"

accounts = [
    path("login/", project_views.login, name="login"),
    path("logout/", project_views.logout, name="logout"),
    path("password/change/", project_views.password_change, name="password_change"),
    path("password/change/done/", project_views.password_change_done, name="password_change_done"),
    path("password/reset/", project_views.password_reset, name="password_reset"),
    path("password/reset/done/", project_views.password_reset_done, name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        project_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("reset/done/", project_views.password_reset_complete, name="password_reset_complete"),
    path("", project_views.account, name="account"),
    path("preferences/", project_views.preferences, name="preferences"),
    path("tokens/<int:token_id>/revoke/", project_views.api_token_revoke, name="api-token-revoke"),
    path("sessions/end-others/", project_views.sessions_end_others, name="sessions-end-others"),
]

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include(accounts)),
    # The admin's own login, behind the same limits on guessing as the main one.
    path("admin/login/", project_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("shared/<str:token>/", project_views.shared_dashboard, name="shared-dashboard"),
    path(
        "shared/<str:token>/equity/<str:measure_code>/",
        chart_views.shared_equity,
        name="shared-equity",
    ),
    path(
        "shared/<str:token>/equity/<str:measure_code>/download/",
        chart_views.shared_equity_download,
        name="shared-equity-download",
    ),
    path("events/", project_views.event_list, name="event-list"),
    path("events/new/", project_views.event_create, name="event-create"),
    path("events/<int:event_id>/", project_views.event_detail, name="event-detail"),
    path("events/<int:event_id>/edit/", project_views.event_edit, name="event-edit"),
    path("events/<int:event_id>/invite.ics", project_views.event_invite, name="event-invite"),
    path("", include("projects.urls")),
    path("", include("phases.urls")),
    path("", include("toolkit.urls")),
    path("", include("measures.urls")),
    path("api/v1/", include("measures.api_urls")),
]

handler500 = "thrive_site.errors.server_error"
