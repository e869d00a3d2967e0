"""Domain events of forums, sent by the services once their transaction commits.

``meeting_scheduled`` / ``meeting_moved`` (with ``invite``: whether the members are to be invited)
and ``meeting_cancelled`` carry the ``meeting`` and ``by``; ``engagement`` connects the receivers that
write the invitations and notices to the outbox.
"""

from django.db import transaction
from django.dispatch import Signal

meeting_scheduled = Signal()
meeting_moved = Signal()
meeting_cancelled = Signal()


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
