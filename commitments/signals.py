"""Domain events of action plans, sent by the services once their transaction commits.

Apps above (``engagement`` for notices) connect receivers; ``commitments`` never calls up into
them. Every signal is sent with ``sender=`` the model class and the changed row as ``update`` /
``report``, plus ``by`` (the user who acted).
"""

from django.db import transaction
from django.dispatch import Signal

progress_submitted = Signal()  # update, by: a coordinator sent an update to the point of contact
progress_returned = Signal()  # update, by: the point of contact returned it with a comment
progress_approved = Signal()  # update, by: approved, now public
status_report_published = Signal()  # report, by


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    """Send ``signal`` once the current transaction commits (at once outside one); nothing if it rolls back."""
    transaction.on_commit(lambda: signal.send(sender=sender, **kwargs))
