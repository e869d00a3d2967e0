"""A cache outage costs nothing but the cache (issue 17.3): a real Redis, stopped and started again.

The test starts its own ``redis-server`` on a free loopback port, makes it the default cache
(the API throttle's counters and the public page cache), and stops it while pages and the API
are used: every answer stays 200, the throttle lets requests through and logs, the page cache
is bypassed. Started again, Redis counts and caches as before.
"""

import shutil
import socket
import subprocess
import tempfile
import time

import pytest
from rest_framework.test import APIClient

from tests.conftest import require_service
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One redis-server process of this test's own, on loopback, with no persistence."""

    def __init__(self):
        self.port = _free_port()
        self.dir = tempfile.mkdtemp(prefix="sec-redis-")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_for(lambda: _answers(self.port), "redis-server to answer")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        _wait_for(lambda: not _answers(self.port), "redis-server to stop")

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def redis_cache(settings):
    require_service(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "ogp_portal.redis_cache.RedisCache",  # the production backend (settings)
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "KEY_PREFIX": "ogp",
        }
    }
    settings.PUBLIC_PAGE_CACHE = True
    settings.API_THROTTLE_RATES = {"anon": "3/minute", "user": "600/minute"}
    yield server
    server.close()


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, pinned 10 s into a minute, so no window boundary falls inside the test."""
    from ogp_portal.api import AnonThrottle, UserThrottle

    for throttle in (AnonThrottle, UserThrottle):
        monkeypatch.setattr(throttle, "timer", lambda self: 1_800_000_010.0)


def test_the_web_and_the_api_keep_answering_while_the_cache_is_down(redis_cache, clock, client, caplog):
    member = MemberFactory()
    api = APIClient()
    page = f"/members/{member.code}/"

    # Redis up: the throttle counts in it (the 4th anonymous request is refused), pages are cached.
    assert [api.get("/api/v1/members/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert client.get(page)["X-Page-Cache"] == "hit"

    redis_cache.stop()
    caplog.clear()
    # Redis down: the throttle fails open (no 500, and no 429 either: nothing can be counted),
    # pages are rendered without the cache, and every failure is logged.
    assert [api.get("/api/v1/members/").status_code for _ in range(5)] == [200] * 5
    assert api.get(f"/api/v1/members/{member.pk}/").status_code == 200
    for _ in range(2):
        response = client.get(page)
        assert response.status_code == 200 and "X-Page-Cache" not in response
        assert member.name in response.content.decode()
    assert client.get("/").status_code == 200
    messages = [record.getMessage() for record in caplog.records]
    assert any("Throttle cache unavailable" in m for m in messages)
    assert any("page cache unavailable" in m.lower() for m in messages)

    # Redis back (empty): counting and caching resume by themselves.
    redis_cache.start()
    assert [api.get("/api/v1/members/").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert client.get(page)["X-Page-Cache"] == "hit"
