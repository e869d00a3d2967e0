"""Every ``curl`` example in the README works as written (run against the test client on the real seed data)."""

import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
SITE = "http://127.0.0.1:8000"


def curl_examples():
    """Return each ``curl`` command line of the README's code blocks (without what it is piped into)."""
    text = README.read_text(encoding="utf-8")
    lines = []
    for block in re.findall(r"```(?:bash|sh|shell)?\n(.*?)```", text, flags=re.DOTALL):
        lines += [line.split("|")[0].strip() for line in block.splitlines() if line.strip().startswith("curl ")]
    return lines


def parse(command):
    """Return (method, path with query, headers, body) of a curl command line; fail on an option it does not know."""
    words = shlex.split(command)[1:]
    method, headers, body, url = "GET", {}, None, None
    while words:
        word = words.pop(0)
        if word in ("-s", "--silent", "-S", "-f", "--fail", "-L"):
            continue
        if word in ("-H", "--header"):
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word in ("-X", "--request"):
            method = words.pop(0)
        elif word in ("-d", "--data", "--data-raw"):
            body = words.pop(0)
            method = "POST" if method == "GET" else method
        elif word.startswith(SITE):
            url = word
        else:
            pytest.fail(f"The README's curl example uses an option this test does not run: {word!r} in {command!r}")
    assert url, command
    parts = urlsplit(url)
    return method, parts.path + (f"?{parts.query}" if parts.query else ""), headers, body


def test_the_readme_has_curl_examples():
    assert len(curl_examples()) >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("command", curl_examples())
def test_a_readme_curl_example_answers_as_documented(client, seed_data, command):
    method, path, headers, body = parse(command)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    response = client.generic(method, path, data=body or "", content_type="application/json", **extra)
    assert response.status_code == 200, (command, response.content[:500])
    data = json.loads(response.content)  # piped into python3 -m json.tool: must be JSON
    if isinstance(data, dict) and "results" in data:
        assert data["results"], f"{command} lists nothing on the seed data"


@pytest.mark.django_db
def test_the_api_root_lists_every_resource(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    listing = response.json()
    assert {"members", "commitments", "milestones", "progress-updates", "forums", "meetings", "findings"} <= set(listing)
    assert listing["commitments"] == "http://testserver/api/v1/commitments/"
