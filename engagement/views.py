"""Reviews, responses, moderation, following and the one-click unsubscribe. Every form works without JS."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import preferred_language, remember_language
from commitments.models import ActionPlan, Commitment, Member, ProgressUpdate
from ogp_portal.permissions import published_updates

from . import services
from .forms import HideForm, ResponseForm, ReviewForm
from .models import Review


def _update_url(update):
    return f"{update.milestone.commitment.get_absolute_url()}#update-{update.pk}"


def _published_update(pk):
    return get_object_or_404(
        published_updates(ProgressUpdate.objects.select_related("milestone__commitment__plan__member")), pk=pk
    )


def _review(pk):
    return get_object_or_404(
        Review.objects.filter(update__state="published").select_related("update__milestone__commitment__plan__member", "author"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_update(request, pk):
    """Agree, partly agree or dispute a published update, with a comment and evidence links."""
    update = _published_update(pk)
    if not request.user.has_perm("engagement.review_update", update):
        raise PermissionDenied
    own = Review.objects.filter(update=update, author=request.user).first()
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review(
                    update, by=request.user, stance=form.cleaned_data["stance"], comment=form.cleaned_data["comment"],
                    links=form.cleaned_data["evidence"], now=timezone.now(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Thank you: your review is published."))
                return redirect(_update_url(update))
        return render(request, "engagement/review_form.html", {"form": form, "update": update, "own": own}, status=400)
    initial = {"stance": own.stance, "comment": own.comment, "evidence": "\n".join(own.evidence_links)} if own else None
    return render(request, "engagement/review_form.html", {"form": ReviewForm(initial=initial), "update": update, "own": own})


@login_required
@require_http_methods(["GET", "POST"])
def respond_review(request, pk):
    """The lead agency's coordinator or the point of contact answers a review with reasons."""
    row = _review(pk)
    if not request.user.has_perm("engagement.respond_review", row):
        raise PermissionDenied
    if request.method == "POST":
        form = ResponseForm(request.POST)
        if form.is_valid():
            try:
                services.respond(row, by=request.user, text=form.cleaned_data["response"], now=timezone.now())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your response is published."))
                return redirect(_update_url(row.update))
        return render(request, "engagement/respond_form.html", {"form": form, "review": row}, status=400)
    form = ResponseForm(initial={"response": row.response} if row.response else None)
    return render(request, "engagement/respond_form.html", {"form": form, "review": row})


@login_required
@require_http_methods(["GET", "POST"])
def hide_review(request, pk):
    """Administrators hide abusive content; the reason is kept and shown in its place."""
    row = _review(pk)
    if not request.user.has_perm("engagement.hide_review", row):
        raise PermissionDenied
    if request.method == "POST":
        form = HideForm(request.POST)
        if form.is_valid():
            services.hide(row, by=request.user, reason=form.cleaned_data["reason"], now=timezone.now())
            messages.success(request, _("The review is hidden."))
            return redirect(_update_url(row.update))
        return render(request, "engagement/hide_form.html", {"form": form, "review": row}, status=400)
    return render(request, "engagement/hide_form.html", {"form": HideForm(), "review": row})


def _target(kind, key):
    if kind == "commitment":
        return get_object_or_404(Commitment, identifier=key)
    if kind == "plan":
        return get_object_or_404(ActionPlan, pk=key) if str(key).isdigit() else None
    if kind == "member":
        return get_object_or_404(Member, code=key)
    return None


@login_required
@require_POST
def follow(request, kind, key):
    """Follow or stop following (``action`` = follow | unfollow) a commitment, a plan or a member."""
    target = _target(kind, key)
    if target is None:
        raise Http404
    action = request.POST.get("action", "follow")
    if action == "follow":
        services.follow(target, by=request.user)
        # Follow emails come in the language the person follows in, unless they chose one (a Russian page → Russian).
        if not preferred_language(request.user) and getattr(request, "LANGUAGE_CODE", "") in dict(settings.LANGUAGES):
            remember_language(request.user, request.LANGUAGE_CODE)
        messages.success(request, _("You will get an email when something new is published here."))
    elif action == "unfollow":
        services.unfollow(target, by=request.user)
        messages.success(request, _("You no longer follow this."))
    else:
        return render(request, "engagement/bad_request.html", {"message": _("Unknown action.")}, status=400)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = target.get_absolute_url()
    return redirect(back)


@csrf_exempt  # the signed token is the credential; mail clients post RFC 8058 one-click without a CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """One-click unsubscribe from an email: GET asks to confirm, POST (also RFC 8058 one-click) removes the follow."""
    try:
        row = services.follow_from_token(token)
    except signing.BadSignature:
        return render(
            request, "engagement/bad_request.html",
            {"message": _("This unsubscribe link is not valid. Open the link from the email again, or sign in to manage what you follow.")},
            status=400,
        )
    if request.method == "POST":
        if row is not None:
            services.unsubscribe(token)
        return render(request, "engagement/unsubscribed.html", {"target": row.target if row else None})
    return render(request, "engagement/unsubscribe.html", {"follow": row, "token": token})


@csrf_exempt  # the signed token is the credential; mail clients post RFC 8058 one-click without a CSRF token
@require_http_methods(["GET", "POST"])
def notices_unsubscribe(request, token):
    """One click from a notice: POST (also RFC 8058 one-click) stops the notices; GET offers that or the daily digest."""
    from . import notices

    try:
        user = notices.user_from_notices_token(token)
    except signing.BadSignature:
        return render(
            request, "engagement/bad_request.html",
            {"message": _("This unsubscribe link is not valid. Open the link from the email again, or sign in to choose your notices.")},
            status=400,
        )
    if request.method == "POST" and user is not None:
        choice = request.POST.get("notices", "none")
        if choice not in ("immediate", "daily", "none"):
            choice = "none"
        notices.set_notice_choice(user, choice)
        return render(request, "engagement/notices_unsubscribed.html", {"choice": choice})
    return render(request, "engagement/notices_unsubscribe.html", {"account": user, "token": token})


@login_required
@require_http_methods(["GET", "POST"])
def notice_settings(request):
    """Choose how notices reach you: each at once, one daily digest, or none."""
    from outbox import services as outbox

    from . import notices

    if request.method == "POST":
        choice = request.POST.get("notices", "")
        if choice not in (outbox.IMMEDIATE, outbox.DAILY, outbox.NONE):
            return render(
                request, "engagement/notice_settings.html",
                {"choice": outbox.delivery_choice(request.user), "error": _("Choose one of the options.")}, status=400,
            )
        notices.set_notice_choice(request.user, choice)
        messages.success(request, _("Your choice is saved."))
        return redirect("engagement:notice_settings")
    return render(request, "engagement/notice_settings.html", {"choice": outbox.delivery_choice(request.user)})
