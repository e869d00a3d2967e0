"""Domain events the upper layers react to (Django signals; the domain apps send, never call up).

``member_record_changed``: a service changed an input the compliance rules read for a member (a plan,
the member's joining date or kind). Sent with ``member_id``; ``compliance`` recomputes that member's
stored standing once the transaction commits.
"""

from django.dispatch import Signal

member_record_changed = Signal()
