"""The forum page's "Open action items" section written in Python (forums.rows.open_items_section) is the HTML the
template wrote (issue #20), in every language, for a secretariat (its "Mark done" forms) and for any other reader."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from forums.models import ActionItem, Meeting
from forums.rows import open_items_section

pytestmark = pytest.mark.django_db

# The section as it was in templates/forums/forum_detail.html before issue #20's change.
SECTION = "{% load i18n portal %}" + '{% if open_items %}\n<section aria-labelledby="actions-heading">\n  <h2 id="actions-heading">{% translate "Open action items" %}</h2>\n  <table class="stack">\n    <caption class="visually-hidden">{% translate "Action items agreed at meetings and not yet closed" %}</caption>\n    <thead><tr><th scope="col">{% translate "Action" %}</th><th scope="col">{% translate "Owner" %}</th><th scope="col">{% translate "Due on" %}</th><th scope="col">{% translate "Meeting" %}</th>{% if can_manage %}<th scope="col">{% translate "Close" %}</th>{% endif %}</tr></thead>\n    <tbody>\n      {% for item in open_items %}\n      <tr>\n        <th scope="row" data-label="{% translate \'Action\' %}">{{ item.title }}{% if item.commitment %}<br><small><a href="{{ item.commitment.get_absolute_url }}">{{ item.commitment.identifier }}</a></small>{% endif %}</th>\n        <td data-label="{% translate \'Owner\' %}">{{ item.owner }}</td>\n        <td data-label="{% translate \'Due on\' %}">{% if item.due_on %}{{ item.due_on|day }}{% if item.due_on < today %} <span class="state state-missed">{% translate "Overdue" %}</span>{% endif %}{% else %}—{% endif %}</td>\n        <td data-label="{% translate \'Meeting\' %}"><a href="{{ item.meeting.get_absolute_url }}">{{ item.meeting.starts_at|day }}</a></td>\n        {% if can_manage %}<td data-label="{% translate \'Close\' %}">\n          <form method="post" action="{% url \'forums:action_status\' forum.pk item.pk %}" class="inline-form">{% csrf_token %}\n            <input type="hidden" name="next" value="{{ request.path }}">\n            <button type="submit" name="status" value="done" class="outline">{% translate "Mark done" %}<span class="visually-hidden">: {{ item.title }}</span></button>\n          </form></td>{% endif %}\n      </tr>\n      {% endfor %}\n    </tbody>\n  </table>\n</section>\n{% endif %}'


def _items(forum):
    from tests.factories import CommitmentFactory

    meetings = list(Meeting.objects.filter(forum=forum).order_by("starts_at"))
    commitment = CommitmentFactory()
    ActionItem.objects.create(meeting=meetings[0], title='Draft the <budget> & "note"', owner="The secretariat & co")
    ActionItem.objects.create(meeting=meetings[0], title="Publish", owner="Co-chairs", due_on=dt.date(2025, 1, 31), commitment=commitment)
    ActionItem.objects.create(meeting=meetings[-1], title="Later", owner="Ann", due_on=dt.date(2027, 3, 1))
    from forums.rows import OPEN_ITEM_FIELDS

    return list(
        ActionItem.objects.open().filter(meeting__forum=forum).select_related("meeting", "commitment").only(*OPEN_ITEM_FIELDS).order_by("pk")
    )


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
@pytest.mark.parametrize("can_manage", [True, False])
def test_the_open_items_section_is_the_templates(bishkek_forum, language, can_manage):
    items = _items(bishkek_forum)
    today = dt.date(2026, 12, 7)
    with translation.override(language):
        request = RequestFactory().get(f"/{language}/forums/{bishkek_forum.pk}/?a=<b>")
        context = {"open_items": items, "forum": bishkek_forum, "today": today, "can_manage": can_manage,
                   "request": request, "csrf_token": "tok3n"}
        expected = Template(SECTION).render(Context(context))
        ours = open_items_section(items, forum_pk=bishkek_forum.pk, can_manage=can_manage, today=today,
                                  csrf_token="tok3n", path=request.path)
    assert "Overdue" in expected or language != "en"
    assert ("csrfmiddlewaretoken" in expected) is can_manage
    assert str(ours) == expected


def test_no_open_item_writes_nothing(bishkek_forum):
    assert Template(SECTION).render(Context({"open_items": []})) == ""
    assert open_items_section([], forum_pk=bishkek_forum.pk, can_manage=True, today=dt.date(2026, 12, 7)) == ""
