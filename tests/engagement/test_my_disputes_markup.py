""""My work"'s disputes section, written in Python (issue #20), is byte for byte what its template wrote.

The template (``engagement/_my_disputes.html`` until session 10) is kept here as the reference and rendered
with the same rows: no dispute, one, several with markup and a comment longer than the 160 characters shown,
in English, Russian and Kyrgyz.
"""

import pytest
from django.template import engines
from django.utils import timezone, translation

from engagement import services
from engagement.templatetags.engagement import my_disputes

pytestmark = pytest.mark.django_db

TEMPLATE = """{% load i18n %}{% if disputes %}
<section aria-labelledby="disputes-heading">
  <h2 id="disputes-heading">{% blocktranslate trimmed count counter=disputes|length %}{{ counter }} dispute to answer{% plural %}{{ counter }} disputes to answer{% endblocktranslate %}</h2>
  <p>{% translate "A civil-society reviewer disputes published progress; the commitment shows as contested until you respond with reasons." %}</p>
  <ul>
    {% for review in disputes %}
    <li>
      <strong>{{ review.update.milestone.commitment.identifier }}</strong>, {% blocktranslate trimmed with number=review.update.milestone.number %}milestone {{ number }}{% endblocktranslate %}:
      \u201c{{ review.comment|truncatechars:160 }}\u201d
      <a href="{% url 'engagement:respond' review.pk %}">{% translate "Respond" %}</a>
    </li>
    {% endfor %}
  </ul>
</section>
{% endif %}
<p class="notice-settings"><a href="{% url 'engagement:notice_settings' %}">{% translate "Notices: each at once, a daily digest, or none" %}</a></p>
"""


def _same(user):
    reference = engines["django"].from_string(TEMPLATE)
    for language in ("en", "ru", "ky"):
        with translation.override(language):
            written = my_disputes(user)
            assert written == reference.render({"disputes": services.open_disputes_for(user)}), language


def test_the_section_is_what_the_template_wrote_with_none_one_and_several_disputes(people):
    u = people.users
    _same(u.coordinator)  # none: the link to the notice settings alone
    services.review(people.published, by=u.civil, stance="dispute", comment="The reports are not online.", now=timezone.now())
    _same(u.coordinator)
    long = "Markup <b>&amp;</b> \"quoted\" 'single' " + "long text " * 30
    services.review(people.published, by=u.civil2, stance="dispute", comment=long, now=timezone.now())
    assert "&lt;b&gt;" in my_disputes(u.poc) and "<b>" not in my_disputes(u.poc)
    _same(u.coordinator)
    _same(u.poc)
    _same(u.other_poc)
    with translation.override("ru"):
        assert "disputes to answer" not in my_disputes(u.poc)  # translated: the comparison covers the catalogs' texts


@pytest.mark.usefixtures("page_cache_on")
def test_kept_for_the_same_roles_the_section_follows_every_dispute_at_once(people, client, django_capture_on_commit_callbacks):
    """With the shared parts on, the section is kept per roles, generation and language: a signed-in render of "My work"
    reads it with no query, and a dispute written or answered shows at the next render (it replaces the generation)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    u = people.users
    work = reverse("work:my_work")

    def page(user):
        client.force_login(user)
        return client.get(work).content.decode()

    assert "dispute to answer" not in page(u.poc)
    with django_capture_on_commit_callbacks(execute=True):
        row = services.review(people.published, by=u.civil, stance="dispute", comment="Not online.", now=timezone.now())
    respond = reverse("engagement:respond", args=[row.pk])
    for user, shown in ((u.poc, True), (u.coordinator, True), (u.other_poc, False), (u.other_coordinator, False)):
        assert (respond in page(user)) is shown, user
    client.force_login(u.poc)
    with CaptureQueriesContext(connection) as kept:
        assert respond in client.get(work).content.decode()
    assert not any("engagement_review" in q["sql"] for q in kept.captured_queries)  # read from the kept part
    with django_capture_on_commit_callbacks(execute=True):
        services.respond(row, by=u.coordinator, text="They are, since June.", now=timezone.now())
    assert respond not in page(u.poc) and respond not in page(u.coordinator)
