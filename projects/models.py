"""Programmes, sites, partner organisations, implementation projects and who may do what."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Programme(models.Model):
    """A programme scaling THRIVE across several sites (e.g. a trust and its localities)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    small_count_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Counts below this are hidden on shared views.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    """A locality or service implementing THRIVE, with its own data and people."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Z][A-Z0-9]{1,9}$", "Use 2 to 10 capital letters or digits.")
        ],
        help_text="Short code used in extracts, e.g. NGT.",
    )
    name = models.CharField(max_length=200)
    locality = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("projects:site-detail", kwargs={"site_code": self.code})


class Sector(models.TextChoices):
    NHS_CAMHS = "nhs_camhs", "NHS CAMHS"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    EDUCATION = "education", "Education"
    VOLUNTARY = "voluntary", "Voluntary sector"
    COMMISSIONER = "commissioner", "Commissioner"
    PRIMARY_CARE = "primary_care", "Primary care"


class PartnerOrganisation(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=32, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_partner_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_sector_display()})"


class ThriveFocus(models.TextChoices):
    """The five needs-based groupings of the THRIVE Framework, or a whole-system theme."""

    THRIVING = "thriving", "Thriving"
    ADVICE = "getting_advice", "Getting Advice and Signposting"
    HELP = "getting_help", "Getting Help"
    MORE_HELP = "getting_more_help", "Getting More Help"
    RISK_SUPPORT = "getting_risk_support", "Getting Risk Support"
    WHOLE_SYSTEM = "whole_system", "Whole-system theme"


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        ACTIVE = "active", "Active"
        SUSTAINING = "sustaining", "Sustaining"
        CLOSED = "closed", "Closed"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(max_length=200)
    thrive_focus = models.CharField(max_length=32, choices=ThriveFocus.choices)
    whole_system_theme = models.CharField(
        max_length=200, blank=True, help_text="For a whole-system focus, e.g. care planning."
    )
    aim = models.TextField(blank=True)
    start_date = models.DateField()

    class CheckIn(models.TextChoices):
        NONE = "none", "No check-ins"
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNING)
    sustainability_checkin = models.CharField(
        max_length=16,
        choices=CheckIn.choices,
        default=CheckIn.QUARTERLY,
        help_text="After Phase 4, how often the team is asked to check the change still holds.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "projects:project-detail", kwargs={"site_code": self.site.code, "project_id": self.pk}
        )


class Membership(models.Model):
    """A user's role on one site. A user may hold several roles on a site."""

    class Role(models.TextChoices):
        PROJECT_MANAGER = "project_manager", "Project manager"
        INFORMATICS = "informatics", "Informatics"
        STAKEHOLDER = "stakeholder", "Stakeholder"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)

    class Meta:
        ordering = ["site__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site", "role"], name="unique_site_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} at {self.site.code}"


class ProgrammeLead(models.Model):
    """Reads every site of the programme, uploads for any of them and administers the programme."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_leads"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="leads")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "programme"], name="unique_programme_lead")
        ]

    def __str__(self) -> str:
        return f"{self.user} leads {self.programme}"


class ApiToken(models.Model):
    """A personal token for scripts. Only a hash is stored; the key is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=PREFIX_LENGTH, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + dt.timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @staticmethod
    def hash_key(key: str) -> str:
        # Tokens are 256-bit random values, so a fast hash is enough (no dictionary to guess from).
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def generate_key() -> str:
        return secrets.token_urlsafe(32)


class SharedLink(models.Model):
    """A read-only link for people without an account, to one site's dashboard or (set by the
    programme lead) to the programme dashboard. The URL carries a signed reference to this row;
    the row decides expiry and revocation."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_links"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_links"
    )
    label = models.CharField(max_length=200, help_text="Who it is for, e.g. 'Governance board'.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(site__isnull=False, programme__isnull=True)
                | models.Q(site__isnull=True, programme__isnull=False),
                name="shared_link_site_or_programme",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.site.code if self.site else self.programme})"

    @property
    def shared_programme(self) -> Programme:
        """The programme whose small-count threshold applies."""
        if self.site is not None:
            return self.site.programme
        if self.programme is None:  # the check constraint rules this out
            raise ValueError(f"Shared link {self.pk} names neither a site nor a programme.")
        return self.programme


class CommunityEvent(models.Model):
    """A community of practice event: programme-wide (scheduled by the programme lead, `site`
    empty) or a site's local event (scheduled by its project managers, open to the site, the
    sites it invites and the programme lead)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="events")
    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="local_events",
        help_text="The site whose local event this is; empty for a programme-wide event.",
    )
    invited_sites = models.ManyToManyField(
        Site, blank=True, related_name="invited_events", help_text="Other sites invited."
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=300, help_text="A room, or a link to join online.")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0, help_text="Calendar revision number.")

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title


class EventAttendance(models.Model):
    """Who from a site came to an event, recorded by the site."""

    event = models.ForeignKey(CommunityEvent, on_delete=models.CASCADE, related_name="attendance")
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    attendees = models.TextField(help_text="Names and roles, one per line.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "site"], name="unique_attendance_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.site.code} at {self.event}"

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendees.splitlines() if line.strip()]


class EventPresentation(models.Model):
    """What a site presented at an event: a link to its story, PDSA cycle or chart."""

    event = models.ForeignKey(
        CommunityEvent, on_delete=models.CASCADE, related_name="presentations"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    link = models.CharField(
        max_length=500, help_text="A page of THRIVE Tracker (a story, PDSA cycle or chart)."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["site__name", "title"]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Which e-mails a person has turned off (all are on by default)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    disabled = models.JSONField(default=list, blank=True, help_text="Keys of e-mails turned off.")

    def __str__(self) -> str:
        return f"Preferences of {self.user}"


class SentNotification(models.Model):
    """A record of each e-mail sent, so an alert or digest is never sent twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    reference = models.CharField(max_length=200)
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "reference"], name="unique_notification")
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.user}"


class AuditEvent(models.Model):
    """Who did what, when and from where: sign-ins, uploads, shares, role changes, tokens and
    exports (projects.audit records them). Kept for AUDIT_RETENTION_DAYS."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_OUT = "sign_out", "Signed out"
        SESSIONS_ENDED = "sessions_ended", "Signed out of other sessions"
        UPLOAD = "upload", "Uploaded a file"
        UPLOAD_COLUMNS = "upload_columns", "Confirmed an upload's columns"
        UPLOAD_UNDO = "upload_undo", "Undid an upload"
        UPLOAD_CONFIRMED = "upload_confirmed", "Confirmed an upload's changes"
        UPLOAD_CANCELLED = "upload_cancelled", "Cancelled an upload at its preview"
        DATA_ENTERED = "data_entered", "Entered figures by hand"
        SHARE = "share", "Shared"
        SHARE_WITHDRAWN = "share_withdrawn", "Withdrew a share"
        ROLE = "role", "Changed a role"
        TOKEN_CREATED = "token_created", "Created an API token"
        TOKEN_REVOKED = "token_revoked", "Revoked an API token"
        TOKEN_USED = "token_used", "Used an API token"
        EXPORT = "export", "Downloaded"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The name as it was (a failed sign-in's name may match no account; a user may be deleted).
    username = models.CharField(max_length=150, blank=True)
    # Codes and names, not foreign keys: the record outlives the site or person it names.
    site_code = models.CharField(max_length=16, blank=True, db_index=True)
    subject = models.CharField(
        max_length=150, blank=True, help_text="The person a role change or sign-in was about."
    )
    what = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or 'system'}: {self.get_action_display()}"
