"""Write paths for API tokens: create (the secret is returned once) and revoke."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .models import ApiToken, digest


def create_token(user, *, name, scope, days, now):
    """Create a token for ``user`` and return (token, secret); the secret is not stored."""
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name, so that you recognise it later.")
    if scope not in ApiToken.Scope.values:
        errors["scope"] = _("Choose read or read and write.")
    if not isinstance(days, int) or not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("A token lives from 1 to %(max)s days.") % {"max": settings.API_TOKEN_MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    secret = ApiToken.new_secret()
    token = ApiToken(
        user=user,
        name=name,
        scope=scope,
        key_digest=digest(secret),
        key_prefix=secret[: len("ogp_") + 6],
        expires_at=now + dt.timedelta(days=days),
    )
    token.full_clean()
    token.save()
    return token, secret


def revoke_token(token, *, by, now):
    """Revoke ``token``; only its owner (or an administrator) may. Revoking twice changes nothing."""
    if not (by.is_staff or token.user_id == by.pk):
        raise PermissionDenied
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
        token.revoked_at = now
    return token
