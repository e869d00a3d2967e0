"""The progress form's period options and fields written in Python (``commitments.progress_rows.period_options``,
``form_fields``; issue #20) are byte for byte what the template's loops wrote, in every language, for a new
update, a draft with a person's text, and a form sent back with its errors."""

import datetime as dt

import pytest
from django.conf import settings
from django.template import engines
from django.utils import translation

from commitments import progress
from commitments import progress_rows
from commitments.progress_rows import form_fields, kept_form_fields, period_options
from commitments.progress_views import ProgressForm

pytestmark = pytest.mark.django_db

_PERIOD_LOOP = (
    '{% for p in periods %}<option value="{{ p.label }}"{% if p.label == period.label %} selected{% endif %}>'
    '{{ p.label }} ({{ p.start|date:"DATE_FORMAT" }} – {{ p.end|date:"DATE_FORMAT" }})</option>{% endfor %}'
)
_FIELD_LOOP = """{% load i18n %}{% for field in form.visible_fields %}
    <div class="field">
      <label for="{{ field.id_for_label }}">{{ field.label }}</label>
      {{ field }}
      {% if field.help_text %}<small id="{{ field.auto_id }}_helptext">{{ field.help_text }}{% if field.name == "evidence_file" %} {% blocktranslate trimmed with max=max_bytes|filesizeformat %}At most {{ max }}.{% endblocktranslate %}{% endif %}</small>{% endif %}
      {% for error in field.errors %}<small class="error" role="alert">{{ error }}</small>{% endfor %}
    </div>
    {% endfor %}"""


def _forms():
    new = ProgressForm(initial={"version": 0, "completion": "not_started", "as_of": dt.date(2019, 6, 30)})
    draft = ProgressForm(initial={"version": 3, "completion": "limited", "narrative": 'Line <one> & "two"\nline three', "as_of": None})
    refused = ProgressForm({"completion": "nonsense", "as_of": "30/06/2019", "evidence_url": "not a link", "version": "x"})
    assert not refused.is_valid() and len(refused.errors) >= 3
    return new, draft, refused


def test_the_fields_written_in_python_are_what_the_templates_loop_wrote():
    template = engines["django"].from_string(_FIELD_LOOP)
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            for form in _forms():
                written = template.render({"form": form, "max_bytes": settings.EVIDENCE_MAX_BYTES})
                assert form_fields(form, settings.EVIDENCE_MAX_BYTES) == written, (code, form.is_bound)
                assert "&lt;one&gt; &amp; &quot;two&quot;" in written or not form.initial.get("narrative")


def test_an_unbound_forms_fields_are_kept_per_language_and_values_and_a_persons_text_never(monkeypatch):
    monkeypatch.setattr(progress_rows, "_kept_fields", {})
    limit = settings.EVIDENCE_MAX_BYTES
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            new, draft, refused = _forms()
            first = kept_form_fields(new, limit)
            assert first == form_fields(new, limit)
            again = ProgressForm(initial={"version": 0, "completion": "not_started", "as_of": dt.date(2019, 6, 30)})
            assert kept_form_fields(again, limit) is first  # kept
            other = ProgressForm(initial={"version": 0, "completion": "substantial", "as_of": dt.date(2019, 6, 30)})
            assert kept_form_fields(other, limit) == form_fields(other, limit) != first
            assert kept_form_fields(draft, limit) == form_fields(draft, limit)  # a person's narrative: written afresh
            assert kept_form_fields(refused, limit) == form_fields(refused, limit)  # bound, with its errors
    assert len(progress_rows._kept_fields) == 6  # two sets of values in three languages: no narrative, no bound form
    assert not any("line three" in html for html in progress_rows._kept_fields.values())


def test_the_period_options_written_in_python_are_what_the_templates_loop_wrote(kg17):
    template = engines["django"].from_string(_PERIOD_LOOP)
    periods = progress.reporting_periods(kg17.plan, dt.date(2020, 8, 31))
    assert len(periods) >= 4
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            for period in (periods[0], periods[-1]):
                assert period_options(periods, period) == template.render({"periods": periods, "period": period})


def test_the_form_page_and_its_panel_show_the_fields_and_a_refusal_keeps_what_was_typed(client, progress_url_as_coordinator):
    url = progress_url_as_coordinator
    page = client.get(url)
    assert page.status_code == 200 and page.text.count('<div class="field">') == 5
    assert '<option value="2019-H1" selected>' in page.text
    refused = client.post(url, {"period": "2019-H1", "completion": "limited", "evidence_url": "not a link", "narrative": "Kept <text>"})
    assert refused.status_code == 400
    assert '<small class="error" role="alert">' in refused.text and "Kept &lt;text&gt;</textarea>" in refused.text
    panel = client.post(url, {"period": "2019-H1", "completion": "limited", "evidence_url": "not a link"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 400 and panel.text.lstrip().startswith('<section id="progress-panel"')
    assert '<small class="error" role="alert">' in panel.text


def test_a_kept_widget_is_what_django_renders_and_a_persons_text_is_not_kept():
    from django import forms

    from commitments import progress_views

    progress_views._kept_widgets.clear()
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            for form in _forms()[:2]:
                for name in ("completion", "as_of", "narrative", "evidence_url", "evidence_file", "version"):
                    django_html = forms.BoundField(form, form.fields[name], name).as_widget()
                    assert str(form[name]) == django_html == str(form[name]), (code, name)  # (the second: kept)
    kept = {name for _code, name, _value in progress_views._kept_widgets}
    assert "narrative" in kept
    assert not [value for _code, name, value in progress_views._kept_widgets if name == "narrative" and value]
