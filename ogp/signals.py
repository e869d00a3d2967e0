"""Domain events the upper layers react to (Django signals; the domain apps send, never call up).

``member_record_changed``: a service changed an input the compliance rules read for a member (a plan,
the member's joining date or kind, a forum, a meeting held or cancelled, a published status report).
Sent with ``member_id`` inside the writing transaction; ``compliance`` (the one listener,
``compliance/signals.py``) recomputes that member's stored standing once the transaction commits,
once per member and transaction (nothing if it rolls back).

``member_record_checking``: a domain model asks, in its ``clean()``, whether the rules would take a
dated record into account (``member``, ``day``, ``field``); a receiver that would ignore it raises
``ValidationError`` with the reason, so the record is refused rather than silently ignored (issue 19.3).
"""

from django.dispatch import Signal

member_record_changed = Signal()
member_record_checking = Signal()


def record_changed(sender, *member_ids) -> None:
    """Send ``member_record_changed`` for every distinct member in ``member_ids`` (None skipped)."""
    for member_id in dict.fromkeys(m for m in member_ids if m is not None):
        member_record_changed.send(sender=sender, member_id=member_id)
