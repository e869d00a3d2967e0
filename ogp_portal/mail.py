"""Email headers that keep their spaces: a work-around for a bug of Python before 3.13.

Python < 3.13 folds a long non-ASCII header (a Russian or Kyrgyz subject) into RFC 2047 encoded
words and, where a fold falls on the space between two encoded words, drops that space: mail
clients then show "Заседаниефорума" for "Заседание форума" (fixed in CPython 3.13's
``email._header_value_parser``). Folding is only needed past ``max_line_length`` (78); RFC 5322
allows lines up to 998 characters, so the messages Django builds use a policy that folds there
instead, and an encoded subject of a few hundred characters stays one line, with its spaces.
"""

import email.policy
import sys

from django.core.mail.message import EmailMessage

# RFC 5322 §2.1.1: a line must not exceed 998 characters (78 is only a recommendation).
UNFOLDED = email.policy.default.clone(max_line_length=998)


def keep_spaces_in_headers() -> None:
    """Make Django's ``EmailMessage.message()`` use :data:`UNFOLDED` by default (Python < 3.13 only)."""
    if sys.version_info < (3, 13):
        EmailMessage.message.__kwdefaults__["policy"] = UNFOLDED
