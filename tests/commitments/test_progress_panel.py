"""The progress form's panel written in Python (``commitments.progress_rows.progress_panel``; issue #20) is byte for
byte what the template's panel (``progress_entry.html#panel``) wrote, in every language: no update yet, a draft with
a person's text and evidence (a link and a file, each with its remove form), a submitted, a returned (with the point
of contact's comment) and a published update, with messages, errors and the update's history."""

import datetime as dt
import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import get_template
from django.test import RequestFactory
from django.utils import translation

from commitments import progress
from commitments.progress_rows import progress_panel
from commitments.progress_views import ProgressForm, _progress_context, _progress_initial
from compliance.engine import Period

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
NOW = dt.datetime(2019, 7, 3, 10, 30, tzinfo=dt.timezone.utc)
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _request(user, with_messages):
    request = RequestFactory().get("/ru/commitments/KG0017/milestones/1/progress/?period=2019-H1&x=<y>")
    request.user = user
    request._messages = CookieStorage(request)
    if with_messages:
        request._messages.add(messages.SUCCESS, "Draft <saved> & kept.")
        request._messages.add(messages.ERROR, "Another one.")
    return request


def _both(user, milestone, update, with_messages=False, errors=()):
    """(the template's panel, the Python one), each for its own request; their CSRF tokens' values left out."""
    out = []
    for write in ("template", "python"):
        request = _request(user, with_messages)
        form = ProgressForm(initial=_progress_initial(milestone, H1_2019, update, dt.date(2019, 7, 3), None))
        context = _progress_context(request, milestone, H1_2019, [H1_2019], update, form, errors=errors)
        if write == "template":
            html = get_template("commitments/progress_entry.html#panel").render(context, request)
        else:
            html = progress_panel(request, context)
        out.append(_CSRF.sub("CSRF", html))
    return out


def test_the_panel_written_in_python_is_what_its_template_wrote(kg17, people, media):
    coordinator, poc = people
    milestone = kg17.milestones.order_by("id").first()
    states = {"none": None}
    fields = ("state", "review_comment", "reviewed_by_id", "submitted_at", "version")

    def snapshot(update):  # (the services change the instance they are given: its values at this step)
        return update.pk, {name: getattr(update, name) for name in fields}

    update = progress.save_progress(
        milestone, H1_2019, by=coordinator, data={"completion": "limited", "narrative": 'Line <one> & "two"\nline three', "as_of": dt.date(2019, 6, 30)},
        version=0, now=NOW,
    )
    progress.add_evidence_link(update, "https://example.org/report?a=1&b=<2>", by=coordinator)
    progress.add_evidence_file(update, SimpleUploadedFile("plan & <annex>.pdf", PDF, content_type="application/pdf"), by=coordinator)
    states["draft"] = snapshot(update)
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    states["submitted"] = snapshot(update)
    update = progress.return_progress(update, by=poc, version=update.version, now=NOW, comment="Please <add> the annex &\nthe list.")
    states["returned"] = snapshot(update)
    update = progress.submit_progress(update, by=coordinator, version=update.version, now=NOW)
    update = progress.approve_progress(update, by=poc, version=update.version, now=NOW, comment="Fine.")
    states["published"] = snapshot(update)
    seen = set()
    for code in ("en", "ru", "ky"):
        with translation.override(code):
            for name, kept in states.items():
                fresh = None
                if kept:  # the update as it was at that step
                    fresh = type(update).objects.get(pk=kept[0])
                    for field, value in kept[1].items():
                        setattr(fresh, field, value)
                for with_messages, errors in ((False, ()), (True, ("Refused <because> & so.", "Second."))):
                    template, python = _both(coordinator, milestone, fresh, with_messages, errors)
                    assert python == template, (code, name, with_messages)
                    seen.add(name)
                    if name == "draft" and code == "en":
                        assert "Remove https://example.org/report?a=1&amp;b=&lt;2&gt;" in python
                        assert "plan-annex" in python or "annex" in python
                    if name == "returned":
                        assert "Please &lt;add&gt; the annex &amp;<br>the list." in python
                    if with_messages:
                        assert "Draft &lt;saved&gt; &amp; kept." in python and "Refused &lt;because&gt;" in python
    assert seen == set(states)
    assert "<details>" in python  # (the published update's history)


def test_the_form_page_shows_the_panel_and_a_saved_drafts_message_once(client, progress_url_as_coordinator):
    url = progress_url_as_coordinator
    page = client.get(url)
    assert page.status_code == 200 and page.text.count('<section id="progress-panel"') == 1
    saved = client.post(url, {"period": "2019-H1", "completion": "limited", "narrative": "Mine", "version": 0, "action": "save"}, follow=True)
    assert saved.status_code == 200 and saved.text.count('<div class="messages" role="status">') == 1
    assert client.get(url).text.count('<div class="messages"') == 0  # (shown once)


@pytest.mark.parametrize(
    "text",
    ["", "one", "a  b\nc\td", " ".join(["word"] * 25), " ".join(["word"] * 26), " ".join(["w"] * 30) + " …", "x …", None, 12],
)
def test_the_review_queues_truncated_deliverable_is_truncators(text):
    from django.utils.text import Truncator

    from commitments.progress_rows import _words

    assert _words(text, 25, " …") == Truncator(text).words(25, truncate=" …")
