"""R1 Lost updates: 50 concurrent clients × 20 rounds change one milestone's progress, half through the HTML
form (the coordinator's page, session and CSRF token), half through the API (token and If-Match).

Each round a client reads the current version (the form's hidden ``version``; the API's ETag) and saves its
own mark as the narrative, once, without retrying. An accepted save whose base version was already used by
another accepted save would be a lost update. At the end: every accepted mark is in the history exactly
once, at its own version; history rows = accepted saves + 1 (the draft's creation); no 5xx.
Runs against a threaded live server on loopback (a thread and a database connection per request).
"""

import datetime as dt
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.test import Client
from django.utils import timezone

from apitokens.services import create_token
from commitments import progress
from commitments.models import ProgressUpdate, Role
from compliance.engine import Period
from tests.api.test_concurrency import _ServerThread
from tests.factories import AgencyFactory, MemberFactory, MilestoneFactory, RoleFactory

CLIENTS = 50
ROUNDS = 20
TIME_LIMIT = 600  # seconds for the whole run; every request has its own timeout too
H1_2019 = Period(dt.date(2019, 1, 1), dt.date(2019, 6, 30), "2019-H1")
VERSION_FIELD = re.compile(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = [pytest.mark.slow]


@pytest.fixture
def server(transactional_db):
    thread = _ServerThread("127.0.0.1", lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    thread.join()


def test_r1_fifty_clients_twenty_rounds_html_and_api_lose_no_update(server, record_property):
    kg = MemberFactory()
    agency = AgencyFactory(member=kg, name="Ministry of Digital Development")
    milestone = MilestoneFactory(commitment__plan__member=kg, commitment__lead_agency=agency)
    coordinator = RoleFactory(member=kg, kind=Role.Kind.COORDINATOR, agency=agency).user
    data = {"completion": "limited", "narrative": "start", "as_of": dt.date(2019, 6, 30)}
    update = progress.save_progress(milestone, H1_2019, by=coordinator, data=data, version=0, now=timezone.now())
    _token, secret = create_token(coordinator, name="r1", scope="read_write", days=1, now=timezone.now())
    browser = Client()
    browser.force_login(coordinator)
    session_cookie = browser.cookies["sessionid"].value
    form_url = f"{server}/commitments/{milestone.commitment.identifier}/milestones/{milestone.pk}/progress/?period=2019-H1"
    api_url = f"{server}/api/v1/progress-updates/{update.pk}/"
    accepted = []  # (mark, base version)
    statuses = Counter()
    started = time.monotonic()

    def html_round(http, mark):
        page = http.get(form_url, timeout=60)
        statuses[("html GET", page.status_code)] += 1
        if page.status_code != 200:
            return
        version = next(int(a or b) for a, b in VERSION_FIELD.findall(page.text))
        token = CSRF_FIELD.search(page.text).group(1)
        if "csrftoken" in page.cookies:  # a Secure cookie (as in production): the client sends it back over loopback
            http.cookies.set("csrftoken", page.cookies["csrftoken"], domain="127.0.0.1")
        payload = {"csrfmiddlewaretoken": token, "period": "2019-H1", "completion": "limited", "narrative": mark,
                   "as_of": "2019-06-30", "version": version, "action": "save"}
        answer = http.post(form_url, data=payload, headers={"Referer": form_url}, allow_redirects=False, timeout=60)
        statuses[("html POST", answer.status_code)] += 1
        if answer.status_code == 302:
            accepted.append((mark, version))

    def api_round(http, mark):
        read = http.get(api_url, timeout=60)
        statuses[("api GET", read.status_code)] += 1
        if read.status_code != 200:
            return
        tag = read.headers["ETag"]
        answer = http.patch(api_url, json={"narrative": mark}, headers={"If-Match": tag}, timeout=60)
        statuses[("api PATCH", answer.status_code)] += 1
        if answer.status_code == 200:
            accepted.append((mark, tag))

    def client(number):
        http = requests.Session()
        via_html = number % 2 == 0
        if via_html:
            http.cookies.set("sessionid", session_cookie, domain="127.0.0.1")
        else:
            http.headers["Authorization"] = f"Bearer {secret}"
        for round_ in range(ROUNDS):
            if time.monotonic() - started > TIME_LIMIT:
                return
            mark = f"{'h' if via_html else 'a'}{number}-{round_}"
            try:
                (html_round if via_html else api_round)(http, mark)
            except requests.RequestException as error:
                statuses[("network", type(error).__name__)] += 1

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(client, range(CLIENTS)))

    history = list(update.history.order_by("history_id").values_list("narrative", "version", "history_type"))
    changes = history[1:]
    marks = [narrative for narrative, _v, _t in changes]
    server_errors = sum(n for (kind, code), n in statuses.items() if isinstance(code, int) and code >= 500)
    accepted_marks = [m for m, _ in accepted]
    lost = len(set(accepted_marks) - set(marks))
    attempts = sum(n for (kind, code), n in statuses.items() if kind in ("html POST", "api PATCH"))
    figure = (f"{lost} lost updates of {len(accepted)} accepted edits ({attempts} attempts, {CLIENTS} clients × {ROUNDS} rounds, "
              f"HTML form and API); {server_errors} 5xx; history rows {len(history)} = accepted + 1: {len(history) == len(accepted) + 1}")
    record_property("R1", figure)
    print("\nR1", figure, dict(statuses))
    assert history[0][2] == "+"
    assert server_errors == 0, statuses
    assert lost == 0
    assert sorted(marks) == sorted(accepted_marks), "every accepted save is in the history exactly once"
    assert len(history) == len(accepted) + 1
    versions = [v for _n, v, _t in history]
    assert versions == sorted(set(versions)), "each accepted save took its own version"
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == marks[-1]
    # Both paths really raced: some saves accepted and some refused as stale through each.
    assert statuses[("html POST", 302)] and statuses[("api PATCH", 200)]
    assert statuses[("html POST", 409)] + statuses[("api PATCH", 412)] > 0
    assert attempts == CLIENTS * ROUNDS
