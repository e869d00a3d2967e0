"""Signed, expiring links for confirming a new account's email address."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Like the password-reset token, with its own salt, and void once the account is active.

    The hash covers ``is_active``, so a confirmation link works once; it expires after
    ``PASSWORD_RESET_TIMEOUT`` (three days by default).
    """

    key_salt = "accounts.tokens.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


email_confirmation_token = EmailConfirmationTokenGenerator()
