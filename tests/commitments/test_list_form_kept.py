"""Issue #20: the commitment list's form rendered once per process while what it is rendered from stays equal.

``commitments.list_form.form_html``: the same bytes as the template rendered for the request (every
language, filter, sort, search, a chosen member with its plans and agencies, an invalid value), on the
first render and the next ones, and a change of what it shows (a member added or renamed, a theme in use,
a plan) shows at the next render: every render still reads the options from the database. The members'
options read as one text (``list_form.member_options``, PostgreSQL) are those the rows give, whatever the
names hold.
"""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from commitments import list_form, list_views, search
from commitments.filters import CommitmentFilterSet, FastSelect
from commitments.models import Member
from tests.factories import ActionPlanFactory, AgencyFactory, CommitmentFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_kept_forms(nothing_compiled):
    list_form._FORMS.clear()
    list_form._MEMBER_OPTIONS.clear()
    yield
    list_form._FORMS.clear()
    list_form._MEMBER_OPTIONS.clear()
    search._estimates.clear()  # the searches' broadness estimated here (PostgreSQL) is of this test's rows only


@pytest.fixture
def data():
    kg = MemberFactory(code="KG", name="Kyrgyz Republic", name_ru="Кыргызская Республика")
    am = MemberFactory(code="AM", name="Armenia & <Co>")
    chamber = AgencyFactory(member=kg, name="Accounts Chamber", name_ru="Счётная палата", acronym="ACH")
    plan = ActionPlanFactory(member=kg)
    for n in range(6):
        CommitmentFactory(
            plan=plan if n % 2 else ActionPlanFactory(member=am),
            number=n + 1,
            identifier=f"KG{n:04d}",
            title=f"Open data {n}",
            themes=["Open data", "Fiscal \"openness\""] if n % 2 else ["Water"],
            lead_agency=chamber if n % 3 == 0 else None,
        )
    return {"kg": kg, "am": am, "plan": plan, "chamber": chamber}


def _form(html):
    return re.search(r'<form method="get" class="filters".*?</form>', html, re.S).group(0)


def _template_form(query):
    """The form as the template renders it for ``query``, without the kept copies (the view's code before)."""
    request = RequestFactory().get("/commitments/?" + query)
    filters = CommitmentFilterSet(request.GET, queryset=list_views._list_queryset(), today=timezone.localdate())
    filters.is_valid()
    context = {
        "form": filters.form,
        "choose_member_first": list_form.scope_choices_to_member(filters.form),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render_to_string("commitments/_commitment_filters.html", context)


def _queries(data):
    return [
        "",
        "sort=-updated",
        "page=2",
        "q=open+%3Cdata%3E",
        "theme=Water",
        "theme=Open+data&overdue=yes&contested=no",
        "member=KG",
        f"member=KG&plan={data['plan'].pk}&lead_agency={data['chamber'].pk}",
        f"plan={data['plan'].pk}",
        "member=AM&completion=none&ogp_value=access_to_information&sort=member",
        "member=XX",  # invalid: rendered each time
        "theme=Nothing",
    ]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_kept_form_is_the_templates_form_byte_for_byte(client, data, language):
    prefix = "" if language == "en" else f"/{language}"
    for query in _queries(data):
        with translation.override(language):
            expected = _template_form(query)
        for attempt in ("first", "kept"):
            response = client.get(f"{prefix}/commitments/?{query}")
            assert response.status_code in (200, 400)
            assert _form(response.content.decode()) == expected, (language, query, attempt)
    assert list_form._FORMS  # the valid ones were kept


def test_a_change_of_the_options_shows_at_the_next_render(client, data):
    first = _form(client.get("/commitments/").content.decode())
    assert '<option value="KG">Kyrgyz Republic</option>' in first and "Roads" not in first
    kept = len(list_form._FORMS)

    data["kg"].name_en = "Kyrgyzstan"
    data["kg"].save()
    MemberFactory(code="BR", name="Brazil")
    CommitmentFactory(plan=data["plan"], number=50, identifier="KG0050", themes=["Roads"])
    second = _form(client.get("/commitments/").content.decode())
    assert '<option value="KG">Kyrgyzstan</option>' in second
    assert '<option value="BR">Brazil</option>' in second
    assert '<option value="Roads">Roads</option>' in second
    assert len(list_form._FORMS) == kept + 1

    ActionPlanFactory(member=data["kg"], title="A second plan")
    chosen = _form(client.get("/commitments/?member=KG").content.decode())
    assert "A second plan" in chosen


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_the_members_options_read_as_one_text_are_the_rows_options(data, language):
    MemberFactory(code="N1", name="12:34 Numbers: 5:", name_ru="")
    MemberFactory(code="N2", name="Кыргыз \"Эл\" & <b>", name_ru="Ёлка: 3:abc", name_ky="")
    MemberFactory(code="N3", name="Colon:", name_ru=":", name_ky="Ы")
    own = {"en": "name_en", "ru": "name_ru", "ky": "name_ky"}[language]
    order = tuple(CommitmentFilterSet.base_filters["member"].extra["queryset"].query.order_by)

    def members():
        from django.db.models import CharField, F, QuerySet, Value
        from django.db.models.functions import Coalesce, NullIf

        label = Coalesce(NullIf(own, Value("")), "name_en", output_field=CharField()) if own != "name_en" else F("name_en")
        return QuerySet(Member).order_by(*order).values_list("code", label)

    with translation.override(language):
        expected = FastSelect._options((("", "Any"), *members()), set())
        first = list_form.member_options(("test-member-options", own, order), members, "Any")
        again = list_form.member_options(("test-member-options", own, order), members, "Any")
        assert first == again == expected
        Member.objects.filter(code="N3").update(name_en="Renamed", name_ru="", name_ky="")
        renamed = list_form.member_options(("test-member-options", own, order), members, "Any")
    assert '<option value="N3">Renamed</option>' in renamed
    assert '<option value="N1">12:34 Numbers: 5:</option>' in renamed
