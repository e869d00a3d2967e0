"""Account pages: sign-in and out, password change and reset, sign-up with a confirmed email.

Django's own auth views do the work; these are their templates under the site layout, plus the
civil-society sign-up. django-axes throttles the sign-in form (``AXES_*`` in settings).
"""


from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods


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
            login(request, user, backend="accounts.backends.PortalModelBackend")
            return redirect("accounts:confirm_email_done")
        return render(request, "accounts/confirm_email.html", {"valid": False}, status=400)
    return render(request, "accounts/confirm_email.html", {"valid": True})


def confirm_email_done(request):
    return render(request, "accounts/confirm_email_done.html")
