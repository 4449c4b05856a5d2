from django.urls import include, path

from .views import assessments, meetings, people, programme, steps

app_name = "phases"

project_urls = [
    path("steps/<int:step_id>/", steps.step_detail, name="step-detail"),
    path("steps/<int:step_id>/progress/", steps.step_progress_update, name="step-progress"),
    path("steps/<int:step_id>/notes/", steps.step_notes_update, name="step-notes"),
    path("steps/<int:step_id>/evidence/", steps.evidence_add, name="evidence-add"),
    path("evidence/<int:evidence_id>/", steps.evidence_download, name="evidence-download"),
    path("evidence/<int:evidence_id>/remove/", steps.evidence_remove, name="evidence-remove"),
    path("team/", people.team_list, name="team"),
    path("team/add/", people.team_member_add, name="team-add"),
    path("team/<int:member_id>/edit/", people.team_member_edit, name="team-edit"),
    path("team/<int:member_id>/remove/", people.team_member_remove, name="team-remove"),
    path("stakeholders/", people.stakeholder_list, name="stakeholders"),
    path("stakeholders/new/", people.stakeholder_create, name="stakeholder-create"),
    path(
        "stakeholders/<int:stakeholder_id>/edit/",
        people.stakeholder_edit,
        name="stakeholder-edit",
    ),
    path(
        "stakeholders/<int:stakeholder_id>/delete/",
        people.stakeholder_delete,
        name="stakeholder-delete",
    ),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/new/", meetings.meeting_create, name="meeting-create"),
    path("meetings/<int:meeting_id>/", meetings.meeting_detail, name="meeting-detail"),
    path("meetings/<int:meeting_id>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:meeting_id>/actions/", meetings.meeting_action_add, name="action-add"),
    path(
        "meetings/<int:meeting_id>/next-meeting.ics",
        meetings.meeting_invite,
        name="meeting-invite",
    ),
    path("actions/<int:action_id>/done/", meetings.meeting_action_toggle, name="action-toggle"),
    path("check-ins/", assessments.checkin_update, name="checkin-update"),
    path("assessments/", assessments.assessment_list, name="assessments"),
    path("assessments/new/", assessments.assessment_create, name="assessment-create"),
    path(
        "assessments/<int:assessment_id>/",
        assessments.assessment_detail,
        name="assessment-detail",
    ),
    path(
        "assessments/<int:assessment_id>/edit/",
        assessments.assessment_edit,
        name="assessment-edit",
    ),
]

urlpatterns = [
    path("sites/<str:site_code>/projects/<int:project_id>/", include(project_urls)),
    path("programme/implementation/", programme.programme_progress, name="programme-progress"),
    path("programme/steps/", programme.custom_step_list, name="custom-steps"),
    path("programme/steps/new/", programme.custom_step_create, name="custom-step-create"),
    path(
        "programme/steps/<int:step_id>/edit/", programme.custom_step_edit, name="custom-step-edit"
    ),
]
