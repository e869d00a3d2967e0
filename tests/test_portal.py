"""What a newcomer meets: the language on arrival, links to every language, error pages, strict settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory
from django.views import defaults

from ogp_portal.settings import env_bool, env_int
from ogp_portal.views import server_error
from tests.factories import CommitmentFactory
from tests.pages import assert_strict_page

ROOT = Path(__file__).resolve().parent.parent


# --- the language on arrival ----------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "target"), [("ru-RU,ru;q=0.9,en;q=0.5", "/ru/"), ("ky-KG,ky;q=0.9,ru;q=0.8", "/ky/"), ("ky", "/ky/")]
)
def test_a_browser_asking_for_russian_or_kyrgyz_arrives_in_that_language(client, db, accept, target):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target
    assert "Accept-Language" in response["Vary"]
    assert client.get(target, HTTP_ACCEPT_LANGUAGE=accept).status_code == 200


@pytest.mark.parametrize("accept", ["en-GB,en;q=0.9", "de-DE,fr;q=0.5", ""])
def test_other_browsers_get_english_at_the_root(client, db, accept):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert_strict_page(response, lang="en")


def test_a_visitor_who_chose_english_stays_in_english(client, db):
    client.cookies["django_language"] = "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("/commitments/", "ru-RU,ru;q=0.9,en;q=0.5", "/ru/commitments/"),
        ("/compliance/", "ky-KG,ky;q=0.9", "/ky/compliance/"),
        ("/commitments/KG0017/", "ru", "/ru/commitments/KG0017/"),
        ("/commitments/?q=audit&status=x", "ky", "/ky/commitments/?q=audit&status=x"),
    ],
)
def test_a_deep_link_asked_for_in_russian_or_kyrgyz_goes_to_its_twin(client, db, path, accept, target):
    CommitmentFactory(identifier="KG0017")
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 302
    assert response["Location"] == target
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}
    followed = client.get(target, HTTP_ACCEPT_LANGUAGE=accept)
    assert followed.status_code == 200 and followed["Content-Language"] == target[1:3]


def test_a_deep_link_stays_english_for_an_english_browser_and_says_what_it_varies_on(client, db):
    CommitmentFactory(identifier="KG0017")
    response = client.get("/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,ru;q=0.5")
    assert response.status_code == 200
    assert_strict_page(response, lang="en")
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in response["Vary"].split(",")}


@pytest.mark.parametrize(("cookie", "expected"), [("en", None), ("ky", "/ky/commitments/")])
def test_a_chosen_language_wins_over_the_browser(client, db, cookie, expected):
    client.cookies["django_language"] = cookie
    response = client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="ru")
    assert (response.status_code, response.get("Location")) == ((302, expected) if expected else (200, None))


def test_a_signed_in_persons_remembered_language_wins_over_the_browser(client, db, django_user_model):
    from accounts.services import remember_language

    user = django_user_model.objects.create_user("reader", password="pw-reader-2026")
    remember_language(user, "en")
    client.force_login(user)
    assert client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200
    remember_language(user, "ky")
    assert client.get("/commitments/", HTTP_ACCEPT_LANGUAGE="ru")["Location"] == "/ky/commitments/"


def test_the_api_the_switcher_and_posts_are_not_redirected(client, db):
    assert client.get("/api/v1/members/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/commitments/"}, HTTP_ACCEPT_LANGUAGE="ru").status_code == 302
    assert client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru").status_code == 404


def test_the_page_cache_never_gives_the_english_copy_to_a_russian_browser(client, db, settings):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE = True
    cache.clear()
    CommitmentFactory(identifier="KG0017")
    try:
        assert client.get("/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="en")["X-Page-Cache"] == "miss"
        assert client.get("/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="en")["X-Page-Cache"] == "hit"
        russian = client.get("/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="ru")
        assert russian.status_code == 302 and russian["Location"] == "/ru/commitments/KG0017/"
        hit = client.get("/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="en")
        assert hit["X-Page-Cache"] == "hit" and {"Accept-Language", "Cookie"} <= {v.strip() for v in hit["Vary"].split(",")}
        page = client.get("/ru/commitments/KG0017/", HTTP_ACCEPT_LANGUAGE="ru")
        assert page.status_code == 200 and page["Content-Language"] == "ru"
    finally:
        cache.clear()


def test_the_root_keeps_its_query_string_when_redirecting(client, db):
    assert client.get("/?utm=x", HTTP_ACCEPT_LANGUAGE="ru")["Location"] == "/ru/?utm=x"


# --- every page links its other-language versions ---------------------------------


@pytest.mark.parametrize("prefix", ["", "/ru", "/ky"])
def test_every_page_links_its_versions_in_each_language(client, db, prefix):
    CommitmentFactory(identifier="KG0017")
    html = client.get(f"{prefix}/commitments/KG0017/?tab=x").content.decode()
    for code, path in (("en", "/commitments/KG0017/"), ("ru", "/ru/commitments/KG0017/"), ("ky", "/ky/commitments/KG0017/")):
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver{path}?tab=x">' in html
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/commitments/KG0017/?tab=x">' in html


def test_text_falling_back_to_english_carries_its_language_and_a_note(client, db):
    CommitmentFactory(identifier="KG0017", title="Open audits", title_ru="", problem="Closed audits.", problem_ru="Закрытые аудиты.")
    html = client.get("/ru/commitments/KG0017/").content.decode()
    assert '<span lang="en" class="fallback">Open audits</span>' in html
    assert 'class="fallback-note"' in html
    assert "Закрытые аудиты." in html
    assert '<div lang="en" class="fallback"><p>Closed audits.</p></div>' not in html
    english = client.get("/commitments/KG0017/").content.decode()
    assert 'class="fallback"' not in english


# --- error pages --------------------------------------------------------------------


@pytest.mark.parametrize(("prefix", "lang"), [("", "en"), ("/ru", "ru"), ("/ky", "ky")])
def test_404_is_translated_and_inside_the_layout(client, db, prefix, lang):
    response = client.get(f"{prefix}/commitments/NOPE/")
    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{lang}"' in html
    assert 'class="skip-link"' in html
    assert_strict_page(response, lang=lang)


def test_403_is_inside_the_layout(db):
    request = RequestFactory().get("/")
    response = defaults.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "Access denied" in html and 'class="skip-link"' in html


def test_500_is_inside_the_layout(db):
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = "en"
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and 'class="skip-link"' in html


def test_an_exception_in_a_view_gives_the_500_page(client, db, monkeypatch):
    from commitments import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.timeline, "build_gantt", broken)
    client.raise_request_exception = False
    CommitmentFactory(identifier="KG0017")
    response = client.get("/ru/commitments/KG0017/")
    assert response.status_code == 500
    assert "skip-link" in response.content.decode()


# --- strict settings ------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("False", False), ("1", True), ("off", False), (" yes ", True)])
def test_booleans_parse(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


@pytest.mark.parametrize("raw", ["ture", "flase", "2", "enabled"])
def test_a_misspelt_boolean_is_an_error(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_a_bad_integer_is_an_error(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12a")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER"):
        env_int("SOME_NUMBER", 5)


def _settings_in_a_fresh_process(**env):
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"}}
    environment.update(DJANGO_SETTINGS_MODULE="ogp_portal.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_require_the_database_and_the_broker():
    result = _settings_in_a_fresh_process(SECRET_KEY="x" * 50, DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "Set REDIS_URL" in result.stderr
    result = _settings_in_a_fresh_process(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG='ture' is not a boolean" in result.stderr
    ok = _settings_in_a_fresh_process(SECRET_KEY="x" * 50, DATABASE_URL="sqlite:///db.sqlite3", REDIS_URL="redis://127.0.0.1:6379/11")
    assert ok.returncode == 0, ok.stderr


def test_the_demo_settings_of_make_run_load_with_a_cache_its_workers_share():
    """`make run` has no Redis (REDIS_URL=memory://, tasks in-process): its two workers share a file cache, not an error.

    (Local memory would be one cache per worker: a change would clear only one. tests/test_demo.py runs the workers.)"""
    makefile = (ROOT / "Makefile").read_text()
    demo_env = makefile[makefile.index("DEMO_ENV =") :].split("\n\n")[0]
    assert "REDIS_URL=memory://" in demo_env and "DEMO=true" in demo_env
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "CACHE_URL"}},
            "DJANGO_SETTINGS_MODULE": "ogp_portal.settings",
            "DEMO": "true",
            "REDIS_URL": "memory://",
            "DATABASE_URL": "sqlite:///db.sqlite3",
            "SECRET_KEY": "x" * 50,
            "EMAIL_URL": "consolemail://",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("FileBasedCache")


def test_make_run_serves_without_debug_and_keeps_its_key_out_of_git():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") :].split("\n\n")[0]
    assert "DEBUG=true" not in run
    assert "collectstatic" in run and "gunicorn" in run
    assert ".secret_key" in (ROOT / ".gitignore").read_text()
