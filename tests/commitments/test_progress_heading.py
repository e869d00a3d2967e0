"""The progress form page's title, breadcrumb and heading parts written in Python (``progress_rows.progress_heading``,
issue #20): the bytes its template's tags wrote, in every language, with markup and a long deliverable."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from commitments.progress_rows import progress_heading

# What progress_entry.html wrote before (its title, the breadcrumb's last three links, the heading).
TEMPLATE = Template(
    "{% load i18n %}"
    "{% blocktranslate trimmed with number=milestone.number %}Progress on milestone {{ number }}{% endblocktranslate %}|"
    "{% blocktranslate trimmed with number=milestone.number %}Milestone {{ number }}{% endblocktranslate %}|"
    "{{ plan_url }}|{{ commitment_url }}|{{ milestone.deliverable|truncatewords:40 }}"
)
PARTS = Template("{{ h.title }}|{{ h.milestone }}|{{ h.plan_url }}|{{ h.commitment_url }}|{{ h.deliverable }}")

LONG = " ".join(f"word{i} <b>&amp;</b>" for i in range(60))


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize(
    "number, deliverable",
    [("1.1", "Open data portal"), ("12", LONG), ("3<b>", "A <script>x</script>\n  spread\tover lines"), (7, "Exactly " * 40)],
)
def test_the_heading_written_in_python_is_what_its_template_wrote(language, number, deliverable):
    from django.urls import reverse

    commitment = SimpleNamespace(identifier="KG0017", plan_id=4)
    milestone = SimpleNamespace(number=number, deliverable=deliverable, commitment=commitment)
    with translation.override(language):
        expected = TEMPLATE.render(
            Context(
                {
                    "milestone": milestone,
                    "plan_url": reverse("commitments:plan", args=[4]),
                    "commitment_url": reverse("commitments:commitment", args=["KG0017"]),
                }
            )
        )
        got = PARTS.render(Context({"h": progress_heading(milestone, commitment)}))
    assert got == expected
    if deliverable == LONG:
        assert got.endswith(" …") and "<b>" not in got  # cut at 40 words, escaped
