from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from core.site import site_host


def new_room_id() -> str:
    return secrets.token_urlsafe(18)


class Booking(models.Model):
    """One therapy session on the calendar: a therapist and a couple, in UTC."""

    # The clinic's record: account deletion anonymizes, never removes (accounts.signals).
    retained_on_account_deletion = True

    class Status(models.TextChoices):
        HELD = "held", gettext_lazy("Held")
        CONFIRMED = "confirmed", gettext_lazy("Confirmed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        LATE_CANCELLED = "late_cancelled", gettext_lazy("Late cancelled")
        COMPLETED = "completed", gettext_lazy("Completed")

    class Format(models.TextChoices):
        VIDEO = "video", gettext_lazy("Video")
        IN_PERSON = "in_person", gettext_lazy("In person")

    ACTIVE_STATUSES = (Status.HELD, Status.CONFIRMED, Status.COMPLETED)

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist_bookings"
    )
    couple = models.ForeignKey("accounts.Couple", on_delete=models.PROTECT, related_name="bookings")
    clinic = models.ForeignKey(
        "therapists.Clinic",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.VIDEO)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    room_id = models.CharField(max_length=32, unique=True, default=new_room_id, editable=False)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When the therapist ended it.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    session_type = models.ForeignKey(
        "scheduling.SessionType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    series = models.ForeignKey(
        "scheduling.BookingSeries",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    # The therapist's time this session takes including its own buffers; the
    # PostgreSQL exclusion constraint keeps these ranges of one therapist disjoint.
    blocked_start = models.DateTimeField(null=True, blank=True)
    blocked_end = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late_cancel_fee = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    fee_currency = models.CharField(max_length=3, blank=True)
    # iCalendar SEQUENCE: bumped on every change so calendar apps update the event.
    sequence = models.PositiveIntegerField(default=0)
    # Reschedule links carry this number; using one bumps it, so a link works once.
    reschedule_version = models.PositiveIntegerField(default=0)
    rescheduled_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rescheduled_to",
        help_text=gettext_lazy(
            "A late reschedule replaces the old session; at most one replacement each."
        ),
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["therapist", "starts_at"]),
            models.Index(fields=["couple", "starts_at"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Session {self.pk} at {self.starts_at:%Y-%m-%d %H:%M} UTC"

    def save(self, *args, **kwargs) -> None:
        if self.blocked_start is None:
            self.blocked_start = self.starts_at
        if self.blocked_end is None:
            self.blocked_end = self.ends_at
        super().save(*args, **kwargs)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.HELD, self.Status.COMPLETED)

    @property
    def is_cancelled(self) -> bool:
        return self.status in (self.Status.CANCELLED, self.Status.LATE_CANCELLED)

    @property
    def ical_uid(self) -> str:
        # Scoped to this install's host: two installs never share an event identity.
        return f"duet-booking-{self.pk}@{site_host()}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, gettext_lazy("Monday")
    TUESDAY = 1, gettext_lazy("Tuesday")
    WEDNESDAY = 2, gettext_lazy("Wednesday")
    THURSDAY = 3, gettext_lazy("Thursday")
    FRIDAY = 4, gettext_lazy("Friday")
    SATURDAY = 5, gettext_lazy("Saturday")
    SUNDAY = 6, gettext_lazy("Sunday")


class SessionType(models.Model):
    """What can be booked with a therapist: length, buffers and booking window."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_types"
    )
    name = models.CharField(max_length=80)
    length_minutes = models.PositiveIntegerField(
        default=50, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    buffer_before_minutes = models.PositiveIntegerField(
        default=0, validators=[MaxValueValidator(120)]
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(120)]
    )
    min_notice_minutes = models.PositiveIntegerField(
        default=12 * 60, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    horizon_days = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    step_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    format = models.CharField(max_length=10, choices=Booking.Format.choices, default="video")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["therapist", "-length_minutes", "name"]

    def __str__(self) -> str:
        return gettext("%(name)s (%(minutes)s min)") % {
            "name": self.name,
            "minutes": self.length_minutes,
        }

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.length_minutes)


class WorkingHours(models.Model):
    """A weekly wall-clock range in the therapist's zone; several per day are fine."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["therapist", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="working_hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class DateOverride(models.Model):
    """Other hours on one date. A row with no times means unavailable all that day."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="date_overrides"
    )
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["therapist", "date", "start_time"]
        indexes = [models.Index(fields=["therapist", "date"])]

    def __str__(self) -> str:
        if self.start_time is None:
            return gettext("%(date)s unavailable") % {"date": self.date}
        return f"{self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """Whole days away, inclusive, in the therapist's zone."""

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_off"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["therapist", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="time_off_end_not_before_start"
            )
        ]

    def __str__(self) -> str:
        return f"Off {self.start_date}–{self.end_date}"


class AttendanceWindow(models.Model):
    """When a partner can attend: a weekly wall-clock range in their own zone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance_windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()

    class Meta:
        ordering = ["user", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="window_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"


class BookingSeries(models.Model):
    """Recurring sessions at one wall-clock time in the therapist's zone."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", gettext_lazy("Every week")
        BIWEEKLY = "biweekly", gettext_lazy("Every two weeks")

    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    couple = models.ForeignKey("accounts.Couple", on_delete=models.PROTECT, related_name="series")
    session_type = models.ForeignKey(SessionType, on_delete=models.PROTECT, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} series {self.pk}"

    @property
    def interval_days(self) -> int:
        return 7 if self.frequency == self.Frequency.WEEKLY else 14


class CalendarFeed(models.Model):
    """A private, revocable calendar subscription URL. Resetting replaces the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
