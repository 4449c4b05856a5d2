"""Meetings with stakeholders: who came, what was decided, the actions, and the next date."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Meeting(models.Model):
    """A meeting of the project. 'Always schedule the next meeting before the end': a meeting
    is completed only once the next one has a date."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField("Date")
    attendees = models.ManyToManyField("phases.Stakeholder", blank=True, related_name="meetings")
    decisions = models.TextField(blank=True)
    completed = models.BooleanField(default=False)
    next_date = models.DateField("Date of the next meeting", null=True, blank=True)
    next_start = models.TimeField("Start time", default=dt.time(10, 0))
    next_duration_minutes = models.PositiveSmallIntegerField("Length in minutes", default=60)
    next_location = models.CharField(
        "Where", max_length=200, blank=True, help_text="A room, or a video-call link."
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A calendar invite keeps its UID for life and bumps SEQUENCE when it changes (RFC 5546).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed=False) | Q(next_date__isnull=False),
                name="completed_meeting_has_next_date",
            ),
            models.CheckConstraint(
                condition=Q(next_date__isnull=True) | Q(next_date__gt=F("held_on")),
                name="next_meeting_after_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %b %Y})"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField()
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date) -> bool:
        return not self.done and self.due_date < today
