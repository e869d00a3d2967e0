"""Write paths for accounts: open a civil-society account, confirm its email address."""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils import translation
from django.utils.http import urlsafe_base64_encode

from .tokens import email_confirmation_token

logger = logging.getLogger(__name__)


def confirmation_url(user) -> str:
    """Return the absolute, signed link that confirms ``user``'s email address (in the active language)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_confirmation_token.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("accounts:confirm_email", args=[uid, token])


def send_confirmation_email(user) -> None:
    context = {"user": user, "confirm_url": confirmation_url(user), "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string("emails/account-confirm-subject.txt", context).split())
    body = render_to_string("emails/account-confirm-body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def remember_language(user, language: str) -> None:
    """Record ``language`` as the one to write to ``user`` in (emails, compliance notices, invitations).

    Called when a signed-in person picks a language in the switcher and when an account is opened. A code
    that is not one of the portal's languages is refused (``ValueError``), never stored.
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language code: {language!r}")
    from .models import Preference

    Preference.objects.update_or_create(user=user, defaults={"language": language})


from ogp_portal.languages import preferred_language  # noqa: E402,F401 (the one rule, in the core; imported from here too)


def addressee(user, member=None) -> str:
    """How a letter or notice addresses ``user``: full name and title, else the role they hold, never the login name.

    "Aida Bekova, Head of the Audit Department"; with no name, "Point of contact, Kyrgyz Republic";
    with neither, "colleague" (translated in the active language).
    """
    from django.utils.translation import gettext

    preference = getattr(user, "preference", None) if getattr(user, "pk", None) else None
    title = (getattr(preference, "title", "") or "").strip()
    full = (user.get_full_name() or "").strip() if user is not None else ""
    if full:
        return f"{full}, {title}" if title else full
    roles = user.ogp_roles.select_related("agency", "member").order_by("kind") if getattr(user, "pk", None) else None
    if roles is not None and member is not None:
        roles = roles.filter(member=member)
    role = roles.first() if roles is not None else None
    if title:
        return title
    if role is not None:
        where = role.agency.name if role.agency_id else role.member.name
        return f"{role.get_kind_display()}, {where}"
    return gettext("colleague")


def open_account(*, username: str, email: str, password: str):
    """Create an inactive civil-society account and email it a confirmation link; return the user, or None.

    The account cannot sign in until the link is opened (``confirm_account``). If the mail server
    fails, the account is kept and the person asks for a new link (``resend_confirmation``).

    If ``email`` already belongs to an account, nothing is created: the owner of that address gets an
    email saying so (with the sign-in and password-reset links), and the caller shows the same answer
    as for a new account, so the sign-up form does not reveal who has an account here. Likewise if the
    user name is taken: the address gets an email asking to choose another name.
    """
    User = get_user_model()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        _send_quietly(existing, send=send_existing_account_email)
        return None
    if User.objects.filter(username__iexact=username).exists():
        _send_quietly(email, send=lambda address: send_username_taken_email(address, username))
        return None
    try:
        # The database keeps one account per address (a unique index on lower(email)) and per user
        # name: of concurrent sign-ups with one address, one opens the account, the others land here.
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password, is_active=False)
    except IntegrityError:
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            _send_quietly(existing, send=send_existing_account_email)
        else:
            _send_quietly(email, send=lambda address: send_username_taken_email(address, username))
        return None
    active = translation.get_language()
    if active in dict(settings.LANGUAGES):
        remember_language(user, active)  # the language they signed up in is the one to write to them in
    _send_quietly(user)
    return user


def send_existing_account_email(user) -> None:
    site = settings.SITE_URL.rstrip("/")
    context = {
        "user": user,
        "sign_in_url": site + reverse("accounts:login"),
        "reset_url": site + reverse("accounts:password_reset"),
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(render_to_string("emails/account-exists-subject.txt", context).split())
    body = render_to_string("emails/account-exists-body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def send_username_taken_email(address: str, username: str) -> None:
    """Tell ``address`` that the user name it asked for is taken (no account was opened)."""
    context = {"username": username, "signup_url": settings.SITE_URL.rstrip("/") + reverse("accounts:signup"), "site_url": settings.SITE_URL}
    subject = " ".join(render_to_string("emails/account-username-taken-subject.txt", context).split())
    body = render_to_string("emails/account-username-taken-body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def resend_confirmation(email: str) -> bool:
    """Send a new confirmation link to every unconfirmed account with ``email``; return True if one was sent.

    Callers show the same answer either way, so the form does not reveal who has an account.
    """
    sent = False
    for user in get_user_model().objects.filter(email__iexact=email.strip(), is_active=False, last_login__isnull=True):
        sent = _send_quietly(user) or sent
    return sent


def _send_quietly(user, send=send_confirmation_email) -> bool:
    try:
        send(user)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not send the confirmation email to user %s", getattr(user, "pk", "(no account)"))
        return False
    return True


def confirm_account(user) -> bool:
    """Activate an account whose email address was confirmed; return True if this call activated it.

    Only an account that never signed in is activated: an administrator's deactivation of a used
    account is not undone by an old link.
    """
    activated = get_user_model().objects.filter(pk=user.pk, is_active=False, last_login__isnull=True).update(is_active=True)
    if activated:
        user.is_active = True
    return bool(activated)
