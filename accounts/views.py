"""Account pages: sign-in and out, password change and reset, sign-up with a confirmed email.

Django's own auth views do the work; these are their templates under the site layout, plus the
civil-society sign-up. django-axes throttles the sign-in form (``AXES_*`` in settings).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from commitments import progress
from commitments import workload
from commitments.models import Commitment, Milestone, ProgressUpdate, Role
from forums.models import Forum
from ogp_portal import permissions

from . import services, throttle
from .forms import SignUpForm
from .tokens import email_confirmation_token


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address and per client (``accounts.throttle``).

    Over the limit, no email is sent and the answer is the same "check your email" page.
    """

    template_name = "accounts/password_reset_form.html"
    email_template_name = "emails/password-reset-body.txt"
    subject_template_name = "emails/password-reset-subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not throttle.password_reset_allowed(form.cleaned_data["email"], throttle.client_address(self.request)):
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


def set_language(request):
    """Django's language switcher; for a signed-in person it also remembers the choice for emails and notices."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES) and response.status_code in (200, 302):
        services.remember_language(request.user, language)
    return response


@require_http_methods(["GET", "POST"])
def signup(request):
    """Open a civil-society account; it works once its email address is confirmed."""
    if request.user.is_authenticated:
        return redirect("work:my_work")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.open_account(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        return redirect("accounts:signup_done")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.is_bound else 200)


def signup_done(request):
    return render(request, "accounts/signup_done.html")


class ResendForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)


@require_http_methods(["GET", "POST"])
def resend_confirmation(request):
    """Send a new confirmation link; the answer is the same whether or not an account is waiting."""
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_confirmation(form.cleaned_data["email"])
        return redirect("accounts:signup_done")
    return render(request, "accounts/resend_confirmation.html", {"form": form}, status=400 if form.is_bound else 200)


def _user_from_uid(uidb64):
    try:
        return get_user_model()._default_manager.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        return None


@require_http_methods(["GET", "POST"])
def confirm_email(request, uidb64, token):
    """Confirm an email address: GET shows a button (mail scanners follow links), POST activates and signs in."""
    user = _user_from_uid(uidb64)
    if user is None or not email_confirmation_token.check_token(user, token):
        return render(request, "accounts/confirm_email.html", {"valid": False}, status=400)
    if request.method == "POST":
        if services.confirm_account(user):
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:confirm_email_done")
        return render(request, "accounts/confirm_email.html", {"valid": False}, status=400)
    return render(request, "accounts/confirm_email.html", {"valid": True})


def confirm_email_done(request):
    return render(request, "accounts/confirm_email_done.html")


# ---------------------------------------------------------------------------
# My work and the review queue (sign-in required)
# ---------------------------------------------------------------------------


def _review_queue(user):
    """Return the updates waiting for the user's review: the one review scope, ``permissions.reviewable_by``."""
    return (
        permissions.reviewable_by(user, ProgressUpdate.objects.all())
        .select_related("milestone__commitment__plan__member", "author")
        .order_by("updated_at", "pk")
    )


# "My work" shows this many commitments a page (a point of contact's whole member can hold hundreds of
# milestones: issue #20) and the first updates of the review queue, with the counts of all and a link on.
WORK_PAGE_SIZE = 20
QUEUE_SHOWN = 10


@login_required
def my_work(request):
    """Render what the signed-in person has to do: milestones due, overdue and missing, and updates to review.

    Coordinators see their agency's commitments, points of contact their whole member (with the
    review queue), administrators everything; a fixed number of queries whatever the data size.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    user = request.user
    roles = list(user.ogp_roles.select_related("member", "agency").order_by("member__name", "kind"))
    # Only what the statuses and the "latest update" column read (not the narratives): a point of
    # contact's member has thousands of updates. Every update of a commitment the user may edit is
    # visible to them (``permissions.visible_to``: the write scope of updates is the write scope of
    # their commitments), so the updates are read by milestone alone: the visibility filter joined
    # each update up to its member, and at scale 10 PostgreSQL ran that as a parallel plan costing
    # 36 ms where this index scan costs about 2 ms (issue #20).
    visible_updates = ProgressUpdate.objects.only(
        "milestone_id", "period_start", "period_end", "updated_at", "completion", "state"
    ).order_by("-period_end", "-updated_at")
    commitments = list(
        permissions.editable_by(user, Commitment.objects.all())
        .select_related("plan__member", "lead_agency")
        .prefetch_related(
            Prefetch(
                "milestones",
                # By id: each commitment's milestones in their usual order (Meta orders by commitment
                # first, which joined every milestone up to its member and hashed all 3,000 members).
                queryset=Milestone.objects.order_by("id").prefetch_related(
                    Prefetch("progress_updates", queryset=visible_updates, to_attr="visible_updates")
                ),
            )
        )
        .order_by("plan__member__name", "plan__start_date", "number", "identifier")
    )
    # The current reporting period of each plan, as the progress form opens on it
    # (progress.current_period: today's while the plan runs, its last once it has ended), under the
    # member's compliance policy (one query for all). A plan not started yet has none to report on.
    members = {c.plan.member_id: c.plan.member for c in commitments}
    policies = progress.update_policies_by_member(members.values())
    plans = {c.plan_id: c.plan for c in commitments}
    periods = {
        pk: progress.current_period(plan, today, policies[plan.member_id]) or progress.reporting_period(today, policies[plan.member_id])
        for pk, plan in plans.items()
    }
    reportable = {pk for pk, plan in plans.items() if progress.current_period(plan, today, policies[plan.member_id])}
    work = workload.workload(commitments, lambda m: m.visible_updates, today, lambda c: periods[c.plan_id])
    for item in work:
        item.reportable = item.commitment.plan_id in reportable
    distinct_periods = sorted(set(periods.values()), key=lambda p: (p.start, p.end))
    ended_plans = sorted((p for p in plans.values() if p.end_date and p.end_date < today), key=lambda p: (p.end_date, p.pk))
    may_review = permissions.is_administrator(user) or any(r.kind == Role.Kind.POINT_OF_CONTACT for r in roles)
    queue = list(_review_queue(user)[:QUEUE_SHOWN]) if may_review else []
    queue_count = _review_queue(user).count() if may_review else 0  # always counted: the same queries whatever the size
    secretariat_members = [r.member_id for r in roles if r.kind == Role.Kind.SECRETARIAT]
    forums = list(Forum.objects.filter(member_id__in=secretariat_members).select_related("member")) if secretariat_members else []
    context = {
        "now": now,
        # The period in the page's first sentence; with several (members under different cadences),
        # each commitment names its own.
        "period": distinct_periods[0] if len(distinct_periods) == 1 else None,
        "several_periods": len(distinct_periods) > 1,
        "ended_plans": ended_plans,
        "roles": roles,
        "work": work,
        "work_page": Paginator(work, WORK_PAGE_SIZE).get_page(request.GET.get("page")),
        "totals": workload.totals(work),
        "may_review": may_review,
        "queue": queue,
        "queue_count": queue_count,
        "review_url": reverse("commitments:review"),
        "forums": forums,
        "is_administrator": permissions.is_administrator(user),
        "may_import": user.has_perm("commitments.import_plan"),
    }
    return render(request, "accounts/my_work.html", context)


@login_required
def review_queue(request):
    """Lead a point of contact (or an administrator) to the one review queue, ``/review/``; refuse anyone else.

    Kept so that links to ``/work/reviews/`` still work; the queue itself, with the approve and
    return forms, is ``commitments.progress_views.review_queue``.
    """
    user = request.user
    if not (permissions.is_administrator(user) or permissions.member_ids_with_role(user, Role.Kind.POINT_OF_CONTACT)):
        raise PermissionDenied
    return redirect("commitments:review")
