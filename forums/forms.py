"""Forms of the secretariat's pages and of the RSVP page; all work without JavaScript."""

import datetime as dt
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from commitments.models import Commitment

from .models import ActionItem, Attendance, Invitation
from .services import portal_zone

MINUTES_EXTENSIONS = {".pdf", ".docx", ".odt", ".txt"}
MINUTES_MAX_BYTES = 10 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time).replace(tzinfo=portal_zone())


class WhenForm(forms.Form):
    """A day and a start (and optional end) time in the portal's zone (Asia/Bishkek)."""

    day = forms.DateField(label=_("Date"), widget=DateInput())
    starts = forms.TimeField(label=_("Starts at"), initial=dt.time(10, 0), widget=TimeInput())
    ends = forms.TimeField(label=_("Ends at"), required=False, widget=TimeInput())

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and starts:
            data["starts_at"] = _aware(day, starts)
            data["ends_at"] = _aware(day, ends) if ends else None
            if ends and ends <= starts:
                self.add_error("ends", _("The meeting cannot end before it starts."))
        return data


class HolidayConfirmMixin:
    """A date on a public holiday is accepted only once the secretariat has seen the warning and confirmed."""

    def show_holiday_confirmation(self):
        self.fields["confirm_holiday"].widget = forms.CheckboxInput()


class MeetingForm(HolidayConfirmMixin, WhenForm):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    already_held = forms.BooleanField(
        label=_("This meeting was already held (enter it now and record its attendance)"), required=False
    )
    confirm_holiday = forms.BooleanField(label=_("Keep this date anyway"), required=False, widget=forms.HiddenInput())

    field_order = ["day", "starts", "ends", "title", "place", "online_link", "agenda", "already_held"]


class VersionField(forms.IntegerField):
    """The meeting's version the form was read at (a stale one is refused with 409)."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput(), required=False, min_value=0, **kwargs)


class RescheduleForm(HolidayConfirmMixin, WhenForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 3}))
    confirm_holiday = forms.BooleanField(label=_("Keep this date anyway"), required=False, widget=forms.HiddenInput())
    version = VersionField()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}))
    version = VersionField()


class MinutesForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    minutes_file = forms.FileField(
        label=_("Minutes as a file"), required=False, help_text=_("PDF, DOCX, ODT or plain text, up to 10 MB.")
    )

    def clean_minutes_file(self):
        upload = self.cleaned_data.get("minutes_file")
        if not upload:
            return upload
        if Path(upload.name).suffix.lower() not in MINUTES_EXTENSIONS:
            raise ValidationError(_("Attach the minutes as PDF, DOCX, ODT or plain text."))
        if upload.size > MINUTES_MAX_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."))
        head = upload.read(8)
        upload.seek(0)
        suffix = Path(upload.name).suffix.lower()
        if suffix == ".pdf" and not head.startswith(b"%PDF"):
            raise ValidationError(_("This file is not a PDF."))
        if suffix in (".docx", ".odt") and not head.startswith(b"PK"):
            raise ValidationError(_("This file is not a DOCX or ODT document."))
        return upload


class CommitmentChoiceMixin:
    def __init__(self, *args, member_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(plan__member_id=member_id).order_by("identifier")
        self.fields["commitment"].label_from_instance = lambda c: f"{c.identifier} {c.title[:80]}"


class DecisionForm(CommitmentChoiceMixin, forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    commitment = forms.ModelChoiceField(label=_("Commitment (optional)"), queryset=Commitment.objects.none(), required=False)


class ActionItemForm(CommitmentChoiceMixin, forms.Form):
    title = forms.CharField(label=_("Action"), max_length=500)
    owner = forms.CharField(label=_("Owner"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DateInput())
    commitment = forms.ModelChoiceField(label=_("Commitment (optional)"), queryset=Commitment.objects.none(), required=False)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=[c for c in Invitation.Response.choices if c[0] != Invitation.Response.PENDING],
        widget=forms.RadioSelect,
    )
    delegate = forms.CharField(
        label=_("Representative (name and position)"), max_length=200, required=False,
        help_text=_("Only if you send someone in your place."),
    )

    def clean(self):
        data = super().clean()
        if data.get("response") == Invitation.Response.DELEGATED and not data.get("delegate", "").strip():
            self.add_error("delegate", _("Name the representative who will attend in your place."))
        return data


ATTENDANCE_CHOICES = Attendance.Status.choices


class ContactForm(forms.Form):
    """A member's contact, kept by the secretariat: where invitations go, in which language, and the alternate."""

    membership = forms.IntegerField(widget=forms.HiddenInput())
    version = forms.CharField(widget=forms.HiddenInput(), max_length=40)
    email = forms.EmailField(label=_("Email"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("Portal default")), *settings.LANGUAGES])
    alternate = forms.CharField(label=_("Alternate (name and position)"), max_length=200, required=False)
    alternate_email = forms.EmailField(label=_("Alternate's email"), required=False)
