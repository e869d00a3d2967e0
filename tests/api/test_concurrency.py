"""50 clients update one milestone at once through the API, each with If-Match: no update is lost.

Each client reads the milestone, appends its own mark to ``budget_text`` and PATCHes with the ETag
it read; on 412 it reads again and retries. Every mark must be there at the end. Runs against a
live server (a thread per request, a database connection each) on SQLite and on PostgreSQL.
The server's answers are checked, not the network: a client whose connection drops reads again
and, if its mark is already there, is done (a retry that is safe because it re-reads first).
"""

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from django.utils import timezone

from apitokens.services import create_token
from commitments.models import Milestone, Role
from tests.factories import AgencyFactory, MemberFactory, MilestoneFactory, RoleFactory

pytestmark = pytest.mark.slow

CLIENTS = 50


class _WideBacklogServer(ThreadedWSGIServer):
    # socketserver's default listen backlog (5) resets connections when 50 clients connect at once.
    request_queue_size = 128


class _ServerThread(LiveServerThread):
    server_class = _WideBacklogServer


@pytest.fixture
def server(transactional_db):
    """A threaded live server (a thread and a database connection per request) with a wide backlog."""
    thread = _ServerThread("127.0.0.1", lambda handler: handler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    thread.join()


def _request(method, url, token, body=None, if_match=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if if_match:
        headers["If-Match"] = if_match
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers.get("ETag"), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None, None


def test_fifty_concurrent_clients_lose_no_update(server):
    kg = MemberFactory()
    agency = AgencyFactory(member=kg, name="Ministry of Digital Development")
    milestone = MilestoneFactory(commitment__plan__member=kg, commitment__lead_agency=agency, budget_text="")
    coordinator = RoleFactory(member=kg, kind=Role.Kind.COORDINATOR, agency=agency).user
    _token, secret = create_token(coordinator, name="load", scope="read_write", days=1, now=timezone.now())
    url = f"{server}/api/v1/milestones/{milestone.pk}/"
    statuses = []

    def client(number):
        mark = f"c{number}"
        for _attempt in range(200):
            try:
                status, tag, data = _request("GET", url, secret)
                assert status == 200
                marks = [m for m in data["budget_text"].split(",") if m]
                if mark in marks:
                    return True
                status, _tag, _data = _request("PATCH", url, secret, {"budget_text": ",".join([*marks, mark])}, tag)
            except (ConnectionError, urllib.error.URLError, TimeoutError):
                continue
            statuses.append(status)
            if status == 200:
                return True
            assert status == 412, status
        return False

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        results = list(pool.map(client, range(CLIENTS)))

    assert all(results)
    marks = Milestone.objects.get(pk=milestone.pk).budget_text.split(",")
    assert sorted(marks) == sorted(f"c{n}" for n in range(CLIENTS))
    assert statuses.count(200) <= CLIENTS
    assert set(statuses) <= {200, 412}
