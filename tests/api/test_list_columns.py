"""The API's lists read the columns of the request's language and its fallback only (issue #20).

``ogp_portal.api_rows.without_base_columns`` leaves out a translated text's base column and the columns of
the languages the active one never falls back to (in Russian: the Kyrgyz ones). Each list answers byte for
byte what it answered reading every column, in the same number of queries, with filters, pages, a search
and ``?format=json``, in every language.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import ogp_portal.api_rows
from tests.api.conftest import client_for
from tests.api.test_fast_rows import varied  # noqa: F401 (the fixture: missing and partial translations)

LISTS = ["members", "agencies", "plans", "commitments", "activities", "milestones", "forums", "findings", "status-events"]
QUERIES = ["", "?format=json", "?page_size=1", "?member_code=KG", "?search=budget", "?ordering=-id"]
NEVER_READ = {"en": ("_ru", "_ky"), "ru": ("_ky",), "ky": ("_ru",)}


def _read(client, path, language):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, (path, response.content[:300])
    return response.content, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_a_list_reads_only_its_languages_columns_and_answers_the_same(varied, monkeypatch, language):  # noqa: F811
    client = client_for(varied["users"]["coordinator"])
    paths = [f"/api/v1/{resource}/{query}" for resource in LISTS for query in QUERIES]
    page = client.get("/api/v1/commitments/?page_size=1").json()
    paths.append(page["next"].replace("http://testserver", ""))  # a cursor's second page
    trimmed = {path: _read(client, path, language) for path in paths}
    monkeypatch.setattr(ogp_portal.api_rows, "without_base_columns", lambda queryset: queryset)  # every column
    full = {path: _read(client, path, language) for path in paths}
    for path in paths:
        (body, sql), (full_body, full_sql) = trimmed[path], full[path]
        assert body == full_body, (path, language)
        assert len(sql) == len(full_sql), (path, language)
        listed = " ".join(sql)
        for suffix in NEVER_READ[language]:
            assert f'{suffix}"' not in listed, (path, suffix)
        assert f'_{language}"' in listed, path
    if language != "en":  # the fixture's texts in that language and the English fallback both shown
        commitments_body = trimmed["/api/v1/commitments/"][0].decode()
        assert ("Открытые данные" if language == "ru" else '"title":"') in commitments_body


def _fields(obj):
    return {name: value for name, value in obj.__dict__.items() if name not in ("_state", "_mt_init")}


def test_rows_read_directly_are_the_instances_django_makes(varied):  # noqa: F811
    """``read_rows``: each instance holds what Django's own would (values, deferred columns, state), saves and
    loads a deferred column as usual; a query it does not make plainly (``select_related``) is Django's."""
    from commitments.models import Commitment, ProgressUpdate
    from compliance.models import Finding
    from ogp_portal.api_rows import read_rows, without_base_columns

    for queryset in (
        without_base_columns(Commitment.objects.order_by("pk")), ProgressUpdate.objects.order_by("-pk"),
        Finding.objects.order_by("pk"), Commitment.objects.filter(number=None),
    ):
        django_rows, read = list(queryset), list(read_rows(queryset))
        assert read and [type(obj) for obj in read] == [type(obj) for obj in django_rows]
        for mine, theirs in zip(read, django_rows):
            assert _fields(mine) == _fields(theirs)
            assert mine.get_deferred_fields() == theirs.get_deferred_fields()
            assert (mine._state.adding, mine._state.db) == (theirs._state.adding, theirs._state.db) == (False, "default")
    commitment = list(read_rows(without_base_columns(Commitment.objects.order_by("pk"))))[0]
    assert commitment.description_ky == Commitment.objects.get(pk=commitment.pk).description_ky  # a deferred column, loaded
    commitment.save(update_fields=["contact_name"])
    with_plan = list(read_rows(Commitment.objects.select_related("plan").order_by("pk")))[0]
    assert "plan" in with_plan._state.fields_cache  # Django's own instances, the plan set


@pytest.mark.parametrize("zone", ["Asia/Bishkek", "UTC", "America/New_York", "Asia/Kathmandu"])
def test_a_fast_datetime_is_drfs_own(settings, zone):
    """The fast rows' datetimes (``api_rows._DateTimeColumn``, the time zone read once a request) read as DRF's
    ``DateTimeField`` writes them, in every time zone, for aware, naive, missing and out-of-range values."""
    import datetime as dt
    import types
    from zoneinfo import ZoneInfo

    from django.utils import timezone
    from rest_framework import serializers

    from ogp_portal.api_rows import _DateTimeColumn

    values = [
        dt.datetime(2019, 7, 1, 12, 30, tzinfo=dt.UTC), dt.datetime(2024, 3, 10, 6, 59, 59, 123456, tzinfo=dt.UTC),
        dt.datetime(2024, 11, 3, 5, 30, tzinfo=ZoneInfo("Europe/Moscow")), dt.datetime(2020, 1, 1, 0, 0),  # the last naive
        dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.UTC), None,
    ]
    for use_tz in (True, False):
        settings.USE_TZ = use_tz
        with timezone.override(ZoneInfo(zone)):
            for field in (serializers.DateTimeField(), serializers.DateTimeField(format="%Y-%m-%d %H:%M")):
                fast = _DateTimeColumn(field, "at").bind(None)
                for value in values:
                    row = types.SimpleNamespace(at=value)
                    try:
                        expected = None if value is None else field.to_representation(value)
                    except serializers.ValidationError:
                        with pytest.raises(serializers.ValidationError):
                            fast(row)
                        continue
                    assert fast(row) == expected, (zone, use_tz, value)
