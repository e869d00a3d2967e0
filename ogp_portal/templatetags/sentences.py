"""``single_stops``: a sentence that ends on a date ends with one full stop in every language.

Russian and Kyrgyz dates end in an abbreviation with its own stop ("7 декабря 2026 г.", "7-декабрь
2026-ж."), so a translation that closes a sentence on a date ("Сегодня %(today)s.") printed "г..".
Which value ends a sentence is each translation's choice (the Kyrgyz "%(end)s чейин." does not), so the
sentence is rendered first (``{% blocktranslate … asvar text %}``) and the doubled stop made one::

    {% load sentences %}{% blocktranslate with day=d|date:"DATE_FORMAT" asvar text %}Due on {{ day }}.{% endblocktranslate %}{{ text|single_stops }}

Only for sentences whose values are dates and numbers: a person's text could end in ".." on purpose.
An ellipsis ("...", "…") is left as it is.
"""

import re

from django import template
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

_DOUBLED = re.compile(r"(?<!\.)\.\.(?!\.)")


@register.filter(is_safe=True)
def single_stops(text):
    """``text`` with each doubled full stop (two, not an ellipsis of three) made one; safe text stays safe."""
    result = _DOUBLED.sub(".", str(text))
    return mark_safe(result) if isinstance(text, SafeData) else result  # noqa: S308 (only a "." removed from safe text)
