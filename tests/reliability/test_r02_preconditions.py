"""R2 Preconditions: every API write to an existing object that the schema declares with a required
``If-Match`` answers 428 without it and 412 with a stale ETag (read, then the object changed): 100 %.

The operations come from the live OpenAPI schema, so a new versioned endpoint is checked without
editing this test. Nothing is written by a refused request (the object's ETag is unchanged).
"""

import datetime as dt
import json

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from apitokens.services import create_token
from ogp_portal.api import etag
from tests.api.conftest import generous_throttles, world  # noqa: F401 (fixtures)
from tests.api.test_fuzz import _one_of_each

pytestmark = pytest.mark.django_db


def _operations():
    client = Client()
    schema = json.loads(client.get("/api/schema/?format=json").content)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete") or "{id}" not in path:
                continue
            headers = {p["name"].lower(): p.get("required", False) for p in operation.get("parameters", []) if p["in"] == "header"}
            yield method.upper(), path, headers.get("if-match", False)


def _make_stale(obj):
    """Change ``obj`` in the database as another writer would, so that the ETag read before is stale."""
    model = type(obj)
    names = {f.name for f in model._meta.concrete_fields}
    rows = model._default_manager.filter(pk=obj.pk)
    if "version" in names:
        rows.update(version=F("version") + 1)
    elif "updated_at" in names:
        rows.update(updated_at=timezone.now() + dt.timedelta(seconds=5))
    else:
        text = next(f for f in model._meta.concrete_fields if f.get_internal_type() in ("CharField", "TextField") and not f.choices)
        rows.update(**{text.attname: (getattr(obj, text.attname) or "") + " (changed)"})
    return model._default_manager.get(pk=obj.pk)


def test_r2_every_versioned_write_needs_a_current_if_match(world, settings, tmp_path, record_property):
    settings.MEDIA_ROOT = tmp_path
    _token, secret = create_token(world["users"]["admin"], name="r2", scope="read_write", days=1, now=timezone.now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    existing = _one_of_each(world)
    client = Client()
    checked, missing_428, missing_412, undeclared = 0, [], [], []
    for method, path, declared in _operations():
        resource = path.split("/")[3]
        if not declared:
            undeclared.append(f"{method} {path}")
            continue
        pk = existing[resource]
        url = path.replace("{id}", str(pk))
        read = client.get(f"/api/v1/{resource}/{pk}/", **auth)
        assert read.status_code == 200, (url, read.status_code)
        before = read["ETag"]
        call = getattr(client, method.lower())
        answer = call(url, data="{}", content_type="application/json", **auth)
        checked += 1
        if answer.status_code != 428:
            missing_428.append((method, path, answer.status_code))
        assert client.get(f"/api/v1/{resource}/{pk}/", **auth)["ETag"] == before, f"{method} {path} wrote without If-Match"
        obj = _object_for(resource, pk)
        changed = _make_stale(obj)
        assert etag(changed) != before
        answer = call(url, data="{}", content_type="application/json", HTTP_IF_MATCH=before, **auth)
        checked += 1
        if answer.status_code != 412:
            missing_412.append((method, path, answer.status_code))
    passed = checked - len(missing_428) - len(missing_412)
    figure = f"{passed} of {checked} precondition checks as required ({100 * passed / checked:.0f} %): 428 without If-Match, 412 when stale"
    record_property("R2", figure)
    print("\nR2", figure, "; not versioned:", undeclared)
    assert checked >= 40
    assert missing_428 == [] and missing_412 == []


def _object_for(resource, pk):
    from django.urls import resolve

    view = resolve(f"/api/v1/{resource}/{pk}/").func
    return view.cls.queryset.model._default_manager.get(pk=pk)
