"""Forum pages: the public forum and meeting pages, the secretariat's forms, RSVP and calendar feeds.

Public pages show what a forum publishes (membership, meetings, attendance,
published minutes, decisions, action items); the secretariat's private notes
and the unpublished minutes appear only to those who keep the forum. Every
change goes through one function in ``services``.
"""

from functools import cache, wraps
from pathlib import Path

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ogp_portal.cache import derived_in_process, prefetch_fragments, scope_fragments
from ogp_portal.compiled import compiled, one_or_404
from ogp_portal.permissions import can_read_minutes, visible_to
from ogp_portal.versioning import StaleVersion

from . import calendars, forms, services
from .page_parts import open_items_part
from .rows import forum_meetings, forum_memberships, meeting_rows, of_forum, period_rows
from .rows import secretariat_forums, secretariat_meetings, secretariat_sections, sector_lists
from .models import ActionItem, Attendance, Forum, ForumMembership, Meeting, MeetingDecision

RECENT_DAYS = 365  # minutes of meetings older than this are history, not a warning


def _forum(pk):
    return get_object_or_404(Forum.objects.select_related("member"), pk=pk)


def _meeting(forum, meeting_id):
    return get_object_or_404(Meeting.objects.select_related("forum__member"), forum=forum, pk=meeting_id)


def secretariat_required(perm="forums.manage_forum"):
    """Let through the forum's secretariat (or an administrator): others get 403, anonymous visitors sign in."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            forum = _forum(pk)
            if not request.user.has_perm(perm, forum):
                raise PermissionDenied(_("Only the forum's secretariat can do this."))
            return view(request, forum, *args, **kwargs)

        return wrapper

    return decorator


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _minutes_warnings(meetings, forum, now):
    recent = [m for m in meetings if (now - m.starts_at).days <= RECENT_DAYS]
    return services.minutes_due(recent, forum, now)


# ---------------------------------------------------------------- public pages


def _forum_page_query(pk):
    return Forum.objects.select_related("member").filter(pk=pk).order_by()


def forum_detail(request, pk):
    """Render a forum: membership by sector with parity, co-chairs and vacancies; cadence; meetings; open action items.

    The parts every visitor sees alike are fragments kept in the cache (``{% shared_fragment %}``,
    issue #20): what they show is computed only when one of them is rendered (the context holds
    functions, called once by the template); the open action items are kept per kind of reader
    (``forums.page_parts``) and the forum's row in the process, so a visit that reuses them runs no query.
    """
    # The page's query is compiled once per process (``ogp_portal.compiled``): building it cost more than running it;
    # its row kept in the process under the generation (every forum change and the admin replace it; issue #20).
    forum = derived_in_process(("forum-page", pk), lambda: one_or_404(compiled("forum-page", _forum_page_query, pk=pk)))
    scope_fragments(forum.member_id)  # its shared parts show this member's forum only
    now = timezone.now()
    today = services.local_today(now)
    can_manage = request.user.has_perm("forums.manage_forum", forum)
    # The open action items this kind of reader sees, kept as a shared part (``forums.page_parts``).
    kept_items, open_items_html = open_items_part(request, forum, can_manage=can_manage, today=today)
    # The template's shared parts in one cache round trip.
    prefetch_fragments(
        f"forum-head:{forum.pk}:{today}", f"forum-body:{forum.pk}:{today}", f"forum-meetings:{forum.pk}",
        *([kept_items] if kept_items else []),
    )
    # The page lists meetings and counts them per period: not their agenda, minutes or notes (kilobytes each).
    # Both lists compiled once per process (``ogp_portal.compiled``), each row given the forum as its related manager gives it.
    meetings = cache(lambda: of_forum(forum, compiled("forum-page-meetings", forum_meetings, forum=forum.pk)))
    periods = cache(lambda: services.forum_cadence(forum, meetings(), now))
    context = {
        "forum": forum,
        "member": forum.member,
        "composition": cache(
            lambda: services.composition(
                forum, of_forum(forum, compiled("forum-page-memberships", forum_memberships, forum=forum.pk)), today
            )
        ),
        "periods": periods,
        "at_risk": cache(lambda: [p for p in periods() if p.state == services.PeriodState.AT_RISK]),
        "meetings": meetings,
        "open_items_html": open_items_html,
        "minutes_due": cache(lambda: _minutes_warnings(meetings(), forum, now)),
        "meeting_rows": cache(lambda: meeting_rows(forum, meetings())),
        "period_rows": cache(lambda: period_rows(periods())),
        "sector_lists": cache(lambda: sector_lists(context["composition"]().sectors)),
        "can_manage": can_manage,
        "today": today,
    }
    return render(request, "forums/forum_detail.html", context)


def meeting_detail(request, pk, meeting_id):
    """Render one meeting: time and place, changes with reasons, agenda, attendance and quorum, minutes, decisions."""
    forum = _forum(pk)
    meeting = get_object_or_404(
        Meeting.objects.prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("membership").order_by("membership__sector", "membership__person")),
            "changes",
            # Decisions and action items follow the minutes: public once they are published.
            Prefetch("decisions", queryset=visible_to(request.user, MeetingDecision.objects.select_related("commitment"))),
            Prefetch("action_items", queryset=visible_to(request.user, ActionItem.objects.select_related("commitment"))),
            "approvals__co_chair",
        ),
        forum=forum,
        pk=meeting_id,
    )
    meeting.forum = forum
    can_manage = request.user.has_perm("forums.manage_forum", forum)
    attendances = list(meeting.attendances.all())
    now = timezone.now()
    context = {
        "forum": forum,
        "member": forum.member,
        "meeting": meeting,
        "attendances": attendances,
        "quorum": services.meeting_quorum(meeting, attendances) if attendances else None,
        "can_manage": can_manage,
        "show_minutes": can_read_minutes(request.user, meeting),
        "minutes_due": services.minutes_due([meeting], forum, now),
        "is_future": meeting.starts_at > now,
        "invitations": (
            meeting.invitations.filter(sequence=meeting.sequence).select_related("membership") if can_manage else ()
        ),
        # Before sending: who no invitation reaches, and why (no address).
        "missed": services.invitation_plan(meeting)[1] if can_manage and meeting.status == Meeting.Status.PLANNED else (),
        "contacts_url": reverse("forums:contacts", args=[forum.pk]) if can_manage else "",
    }
    return render(request, "forums/meeting_detail.html", context)


def minutes_file(request, pk, meeting_id):
    """Serve a meeting's minutes file: to everyone once published, before that to those who may read unpublished minutes."""
    forum = _forum(pk)
    meeting = _meeting(forum, meeting_id)
    if not meeting.minutes_file:
        raise Http404
    if not can_read_minutes(request.user, meeting):
        raise Http404
    name = Path(meeting.minutes_file.name).name
    return FileResponse(meeting.minutes_file.open("rb"), as_attachment=True, filename=name)


# ---------------------------------------------------------------- calendar feeds


def forum_calendar(request, pk):
    forum = _forum(pk)
    body = calendars.forum_calendar(forum, forum.meetings.select_related("forum").order_by("starts_at"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="forum-{forum.pk}.ics"'
    return response


# ---------------------------------------------------------------- RSVP


def rsvp(request, token):
    """Answer an invitation through its signed link: accept, decline, or name a representative."""
    now = timezone.now()
    try:
        invitation = services.invitation_from_token(token, now=now)
    except services.RsvpRefused as refused:
        return render(request, "forums/rsvp_refused.html", {"message": refused.message}, status=refused.status)
    form = forms.RsvpForm(request.POST or None, initial={"response": request.GET.get("answer") or invitation.response})
    done = False
    if request.method == "POST" and form.is_valid():
        services.record_rsvp(
            invitation, response=form.cleaned_data["response"], delegate=form.cleaned_data.get("delegate", ""), now=now
        )
        done = True
    status = 400 if request.method == "POST" and not done else 200
    context = {"invitation": invitation, "meeting": invitation.meeting, "forum": invitation.meeting.forum, "form": form, "done": done}
    return render(request, "forums/rsvp.html", context, status=status)


# ---------------------------------------------------------------- the secretariat's pages


def secretariat_home(request):
    """The secretariat's work page: per forum, periods at risk, minutes due, open action items, upcoming meetings."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    from ogp.policy_store import versions_by_member  # compliance registers the reader of the stored versions

    # Its queries compiled once per process (``ogp_portal.compiled``), the policies kept in the process under the
    # generation (``derived_in_process``): building the querysets and reading the policies were most of a visit (issue #20).
    forums = secretariat_forums(request.user)
    pks = [forum.pk for forum in forums]
    # The meetings and the policies of every member, each in one query (not one per forum: an administrator keeps them all).
    meetings: dict = {pk: [] for pk in pks}
    if forums:
        by_pk = {forum.pk: forum for forum in forums}
        for meeting in compiled("secretariat-meetings", secretariat_meetings, forums=pks):
            meeting.forum = by_pk[meeting.forum_id]  # as the related manager gives it: no query for it
            meetings[meeting.forum_id].append(meeting)
    members = list({forum.member_id: forum.member for forum in forums}.values())
    policies = derived_in_process(
        ("forum-policies", tuple((member.pk, member.kind) for member in members)), lambda: versions_by_member(members)
    ) if forums else {}
    now = timezone.now()
    rows = []
    for forum in forums:
        kept = meetings[forum.pk]
        periods = services.forum_cadence(forum, kept, now, policies=policies[forum.member_id])
        rows.append(
            {
                "forum": forum,
                "at_risk": [p for p in periods if p.state == services.PeriodState.AT_RISK],
                "minutes_due": _minutes_warnings(kept, forum, now),
                "upcoming": [m for m in reversed(kept) if m.status == Meeting.Status.PLANNED and m.starts_at >= now],
                "to_record": [m for m in kept if m.status == Meeting.Status.PLANNED and m.starts_at < now],
                "open_items": forum.open_items,
            }
        )
    if not rows and not request.user.has_perm("forums.manage_forum"):
        raise PermissionDenied(_("This page is for forum secretariats."))
    return render(request, "forums/secretariat.html", {"rows": rows, "sections": secretariat_sections(rows)})


def _holiday_check(form, forum, data) -> list[str]:
    """Warnings about the chosen day; a holiday stops the save until the secretariat confirms it."""
    warnings = services.date_warnings(forum, data["starts_at"])
    if warnings and not data.get("confirm_holiday"):
        form.show_holiday_confirmation()
        return warnings
    return []


def _stale(request, template, context, meeting, version):
    """409: someone changed the meeting since this form was read; show what changed and the new version."""
    fresh = Meeting.objects.select_related("forum__member").get(pk=meeting.pk)
    context.update(
        meeting=fresh,
        changes=services.meeting_changes_since(fresh, version),
        errors=[_("Someone else changed this meeting after you opened this form. Check what changed, then send the form again.")],
    )
    form = context.get("form")
    if form is not None and "version" in form.fields:
        data = form.data.copy()
        data["version"] = fresh.version
        form.data = data
    return render(request, template, context, status=409)


@secretariat_required()
def meeting_new(request, forum):
    now = timezone.now()
    meetings = list(forum.meetings.all())
    periods = services.forum_cadence(forum, meetings, now)
    suggestions = services.suggestions_for(forum, periods, services.local_today(now))
    initial = {"day": request.GET.get("day") or (suggestions[0] if suggestions else None)}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    errors, warnings = [], []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "starts_at": data["starts_at"], "ends_at": data["ends_at"], "title": data["title"], "place": data["place"],
            "online_link": data["online_link"], "agenda": data["agenda"], "by": request.user, "now": now,
        }
        warnings = [] if data["already_held"] else _holiday_check(form, forum, data)
        if not warnings:
            try:
                if data["already_held"]:
                    meeting = services.enter_held_meeting(forum, **fields)
                else:
                    meeting = services.schedule_meeting(forum, **fields)
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                if data["already_held"]:
                    return redirect(reverse("forums:record", args=[forum.pk, meeting.pk]))
                return redirect(meeting.get_absolute_url())
    day = form.cleaned_data.get("day") if form.is_bound and hasattr(form, "cleaned_data") else None
    reached, missed = services.invitation_plan_for_forum(forum, day or (suggestions[0] if suggestions else services.local_today(now)))
    context = {
        "forum": forum, "member": forum.member, "form": form, "errors": errors, "warnings": warnings, "suggestions": suggestions,
        "target": services.next_period_to_schedule(periods), "holiday_country": forum.holiday_country,
        "reached": reached, "missed": missed, "contacts_url": reverse("forums:contacts", args=[forum.pk]),
    }
    return render(request, "forums/meeting_new.html", context, status=400 if request.method == "POST" else 200)


@secretariat_required()
def meeting_reschedule(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    zone = services.portal_zone()
    local = meeting.starts_at.astimezone(zone)
    initial = {
        "day": local.date(), "starts": local.time(), "ends": meeting.ends_at.astimezone(zone).time() if meeting.ends_at else None,
        "version": meeting.version,
    }
    form = forms.RescheduleForm(request.POST or None, initial=initial)
    errors, warnings = [], []
    context = {"forum": forum, "member": forum.member, "meeting": meeting, "form": form, "action": "reschedule"}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warnings = _holiday_check(form, forum, data)
        if not warnings:
            try:
                services.reschedule_meeting(
                    meeting, starts_at=data["starts_at"], ends_at=data["ends_at"], reason=data["reason"],
                    by=request.user, now=timezone.now(), version=data["version"],
                )
            except StaleVersion:
                return _stale(request, "forums/meeting_change.html", context, meeting, data["version"])
            except ValidationError as exc:
                errors = _errors(exc)
            else:
                return redirect(meeting.get_absolute_url())
    context.update(errors=errors, warnings=warnings)
    return render(request, "forums/meeting_change.html", context, status=400 if request.method == "POST" else 200)


@secretariat_required()
def meeting_cancel(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    form = forms.CancelForm(request.POST or None, initial={"version": meeting.version})
    errors = []
    context = {"forum": forum, "member": forum.member, "meeting": meeting, "form": form, "action": "cancel"}
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_meeting(
                meeting, reason=form.cleaned_data["reason"], by=request.user, now=timezone.now(),
                version=form.cleaned_data["version"],
            )
        except StaleVersion:
            return _stale(request, "forums/meeting_change.html", context, meeting, form.cleaned_data["version"])
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect(meeting.get_absolute_url())
    context["errors"] = errors
    return render(request, "forums/meeting_change.html", context, status=400 if request.method == "POST" else 200)


@secretariat_required()
def contacts(request, forum):
    """The secretariat keeps each current member's email, language and alternate (one row saved at a time)."""
    from ogp_portal.versioning import current_version

    today = services.local_today(timezone.now())
    memberships = list(forum.memberships.current(today).select_related("user").order_by("person"))
    bound, errors, status, changed_row = None, [], 200, None
    if request.method == "POST":
        bound = forms.ContactForm(request.POST)
        if bound.is_valid():
            data = bound.cleaned_data
            row = next((m for m in memberships if m.pk == data["membership"]), None)
            if row is None:
                raise Http404
            try:
                services.update_contact(row, by=request.user, data=data, version=data["version"])
            except StaleVersion:
                errors, status, changed_row = [_("Someone else changed this contact after you opened the page: it shows the new values now.")], 409, row.pk
                bound = None
            except ValidationError as exc:
                errors, status = _errors(exc), 400
            else:
                return redirect(reverse("forums:contacts", args=[forum.pk]) + f"?saved={row.pk}#contact-{row.pk}")
        else:
            status = 400
        memberships = list(forum.memberships.current(today).select_related("user").order_by("person"))
    rows = []
    for m in memberships:
        posted = bound is not None and bound.data.get("membership") == str(m.pk)
        form = bound if posted else forms.ContactForm(
            initial={"membership": m.pk, "version": current_version(m), "email": m.email, "language": m.language,
                     "alternate": m.alternate, "alternate_email": m.alternate_email},
            auto_id=f"c{m.pk}-%s",
        )
        if posted:
            form.auto_id = f"c{m.pk}-%s"
        rows.append({"membership": m, "form": form, "reachable": bool(m.contact_email), "changed": changed_row == m.pk})
    saved = request.GET.get("saved", "")
    context = {
        "forum": forum, "member": forum.member, "rows": rows, "errors": errors,
        "saved": next((m for m in memberships if str(m.pk) == saved), None),
        "missing": [r["membership"] for r in rows if not r["reachable"]],
    }
    return render(request, "forums/contacts.html", context, status=status)


@require_POST
@secretariat_required()
def meeting_invite(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    services.enqueue_invitations(meeting.pk)
    return redirect(reverse("forums:meeting", args=[forum.pk, meeting.pk]) + "?invited=1")


def _attendance_rows(meeting, post=None):
    """Return one row per member seated on the meeting's day (or already recorded), with the recorded or posted values."""
    day = meeting.starts_at.astimezone(services.portal_zone()).date()
    recorded = {a.membership_id: a for a in meeting.attendances.all()}
    answers = {i.membership_id: i for i in meeting.invitations.filter(sequence=meeting.sequence)}
    members = [m for m in meeting.forum.memberships.order_by("sector", "person") if m.is_current(day) or m.pk in recorded]
    rows = []
    for m in members:
        a = recorded.get(m.pk)
        status = a.status if a else Attendance.Status.ABSENT
        representative = a.representative if a else ""
        answer = answers.get(m.pk)
        if a is None and answer is not None:  # nothing recorded yet: start from the member's RSVP
            if answer.response == answer.Response.ACCEPTED:
                status = Attendance.Status.PRESENT
            elif answer.response == answer.Response.DELEGATED:
                status, representative = Attendance.Status.REPRESENTED, answer.delegate
        if post is not None:
            status = post.get(f"status-{m.pk}", status)
            representative = post.get(f"representative-{m.pk}", representative)
        rows.append({"membership": m, "status": status, "representative": representative})
    return rows


@secretariat_required("forums.record_meeting")
def meeting_record(request, forum, meeting_id):
    """Record attendance (present, absent, represented) and the private notes; the meeting becomes held."""
    meeting = _meeting(forum, meeting_id)
    post = request.POST if request.method == "POST" else None
    rows = _attendance_rows(meeting, post)
    errors = []
    if post is not None:
        attendance = {r["membership"].pk: (r["status"], r["representative"]) for r in rows}
        version = post.get("version") or None
        try:
            services.record_meeting(
                meeting, attendance=attendance, by=request.user, now=timezone.now(),
                private_notes=post.get("private_notes", meeting.private_notes), version=version,
            )
        except StaleVersion:
            context = {
                "forum": forum, "member": forum.member, "rows": rows, "choices": Attendance.Status.choices,
                "private_notes": post.get("private_notes"),
            }
            return _stale(request, "forums/meeting_record.html", context, meeting, version)
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect(reverse("forums:minutes", args=[forum.pk, meeting.pk]))
    context = {
        "forum": forum, "member": forum.member, "meeting": meeting, "rows": rows, "errors": errors,
        "choices": Attendance.Status.choices, "private_notes": post.get("private_notes") if post else meeting.private_notes,
    }
    return render(request, "forums/meeting_record.html", context, status=400 if errors else 200)


@secretariat_required("forums.record_meeting")
def meeting_minutes(request, forum, meeting_id):
    """Write or upload the minutes, record the co-chairs' approvals, and add decisions and action items."""
    meeting = _meeting(forum, meeting_id)
    form = forms.MinutesForm(request.POST or None, request.FILES or None, initial={"minutes": meeting.minutes})
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.save_minutes(
                meeting, text=form.cleaned_data["minutes"], file=form.cleaned_data.get("minutes_file"),
                by=request.user, now=timezone.now(),
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect(reverse("forums:minutes", args=[forum.pk, meeting.pk]) + "#approvals")
    meeting.refresh_from_db()
    return _render_minutes(request, forum, meeting, form=form, errors=errors, status=400 if request.method == "POST" else 200)


def _render_minutes(request, forum, meeting, *, form=None, errors=(), decision_form=None, action_form=None, status=200):
    chairs = services.co_chairs_for(meeting)
    approved = {a.co_chair_id: a for a in meeting.approvals.all()}
    context = {
        "forum": forum,
        "member": forum.member,
        "meeting": meeting,
        "form": form or forms.MinutesForm(initial={"minutes": meeting.minutes}),
        "errors": errors,
        "chairs": [(c, approved.get(c.pk)) for c in chairs],
        "decision_form": decision_form or forms.DecisionForm(member_id=forum.member_id),
        "action_form": action_form or forms.ActionItemForm(member_id=forum.member_id),
        "decisions": meeting.decisions.select_related("commitment"),
        "action_items": meeting.action_items.select_related("commitment"),
        "status_choices": ActionItem.Status.choices,
    }
    return render(request, "forums/meeting_minutes.html", context, status=status)


@require_POST
def meeting_approve(request, pk, meeting_id):
    """Record a co-chair's approval of the minutes (by the co-chair, or by the secretariat on their word)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    forum = _forum(pk)
    meeting = _meeting(forum, meeting_id)
    co_chair = get_object_or_404(ForumMembership, forum=forum, pk=request.POST.get("co_chair") or 0)
    manager = request.user.has_perm("forums.record_meeting", forum)
    if not manager and not (co_chair.user_id == request.user.pk and request.user.has_perm("forums.approve_minutes", forum)):
        raise PermissionDenied(_("Only the co-chairs or the secretariat can record an approval."))
    try:
        if request.POST.get("publish") == "1":
            services.publish_minutes_without_co_chairs(meeting, by=request.user, now=timezone.now())
        else:
            services.approve_minutes(meeting, co_chair, by=request.user, now=timezone.now())
    except ValidationError as exc:
        if not manager:
            return render(request, "forums/rsvp_refused.html", {"message": " ".join(_errors(exc))}, status=400)
        return _render_minutes(request, forum, meeting, errors=_errors(exc), status=400)
    target = "forums:minutes" if manager else "forums:meeting"
    return redirect(reverse(target, args=[forum.pk, meeting.pk]))


@require_POST
@secretariat_required("forums.record_meeting")
def meeting_publish(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    try:
        services.publish_minutes_without_co_chairs(meeting, by=request.user, now=timezone.now())
    except ValidationError as exc:
        return _render_minutes(request, forum, meeting, errors=_errors(exc), status=400)
    return redirect(reverse("forums:minutes", args=[forum.pk, meeting.pk]))


@require_POST
@secretariat_required("forums.record_meeting")
def decision_add(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    form = forms.DecisionForm(request.POST, member_id=forum.member_id)
    if form.is_valid():
        try:
            services.add_decision(meeting, text=form.cleaned_data["text"], commitment=form.cleaned_data["commitment"], by=request.user)
        except ValidationError as exc:
            return _render_minutes(request, forum, meeting, errors=_errors(exc), decision_form=form, status=400)
        return redirect(reverse("forums:minutes", args=[forum.pk, meeting.pk]) + "#decisions")
    return _render_minutes(request, forum, meeting, decision_form=form, status=400)


@require_POST
@secretariat_required("forums.record_meeting")
def action_add(request, forum, meeting_id):
    meeting = _meeting(forum, meeting_id)
    form = forms.ActionItemForm(request.POST, member_id=forum.member_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action_item(
                meeting, title=data["title"], owner=data["owner"], due_on=data["due_on"], commitment=data["commitment"], by=request.user
            )
        except ValidationError as exc:
            return _render_minutes(request, forum, meeting, errors=_errors(exc), action_form=form, status=400)
        return redirect(reverse("forums:minutes", args=[forum.pk, meeting.pk]) + "#actions")
    return _render_minutes(request, forum, meeting, action_form=form, status=400)


@require_POST
@secretariat_required("forums.record_meeting")
def action_status(request, forum, item_id):
    item = get_object_or_404(ActionItem.objects.select_related("meeting"), meeting__forum=forum, pk=item_id)
    form = forms.ActionStatusForm(request.POST)
    if not form.is_valid():
        return render(request, "forums/rsvp_refused.html", {"message": _("Choose a status.")}, status=400)
    services.set_action_item_status(item, status=form.cleaned_data["status"], by=request.user, now=timezone.now())
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = forum.get_absolute_url()
    return redirect(target)
