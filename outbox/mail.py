"""The email message class of the outbox: Django's, with RFC 8058 headers written as they must be.

Python's ``email.policy`` folds a header longer than 78 characters; an unsubscribe address has no
space to fold at, so the policy RFC 2047-encodes it (``=?utf-8?q?=3Chttp…``), which no mail client
reads as a URL. These headers are ASCII by construction and are written on one line (RFC 5322 allows
998 characters).
"""

import email.policy
from email.headerregistry import HeaderRegistry, UnstructuredHeader

from django.core.mail import EmailMultiAlternatives

UNFOLDED = ("list-unsubscribe", "list-unsubscribe-post", "list-id")


class UnfoldedHeader(UnstructuredHeader):
    """An ASCII header written as given, on one line."""

    def fold(self, *, policy):
        return f"{self.name}: {str(self)}{policy.linesep}"


def _registry():
    registry = HeaderRegistry()
    for name in UNFOLDED:
        registry.map_to_type(name, UnfoldedHeader)
    return registry


_REGISTRY = _registry()


class OutboxEmail(EmailMultiAlternatives):
    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(header_factory=_REGISTRY))
