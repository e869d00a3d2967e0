"""The follow button written in Python (engagement's ``follow_button``, issue #20) is byte for byte what its
template, ``engagement/_follow_button.html``, renders: anonymous and signed-in readers, following or not, a
commitment, a plan and a member, in en/ru/ky, with a path and query string that need quoting and escaping."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from engagement.templatetags import engagement
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db


def _reference(context, target, following):
    """The inclusion tag this replaced: its context and its template."""
    request = context.get("request")
    kind, key = engagement._kind_key(target)
    return get_template("engagement/_follow_button.html").render({
        "request": request,
        "user": getattr(request, "user", None),
        "action_url": reverse("engagement:follow", args=[kind, key]),
        "following": following,
        "feed_url": engagement.feed_url(target),
        "csrf_token": context.get("csrf_token"),
    })


@pytest.mark.parametrize("language", ["en", "ru", "ky"])
def test_follow_button_is_the_templates_bytes(language):
    commitment = CommitmentFactory()
    targets = [commitment, commitment.plan, commitment.plan.member]
    user = get_user_model().objects.create_user("reader", "reader@example.org", "x-Pa55word-long")
    path = f"/{language}/commitments/{commitment.identifier}/?q=a&b=\"<x>' é%20"
    compared = 0
    with translation.override(language):
        for reader in (AnonymousUser(), user):
            for target in targets:
                for following in (True, False):
                    for token in ("tok&en<'\">", None):
                        request = RequestFactory().get(path)
                        request.user = reader
                        context = {"request": request, "csrf_token": token}
                        ours = engagement.follow_button(Context(context), target, following)
                        assert str(ours) == _reference(context, target, following)
                        compared += 1
        # As the pages call it: through the template tag, escaped and unescaped values in place.
        request = RequestFactory().get(path)
        request.user = user
        page = Template("{% load engagement %}{% follow_button target following %}").render(
            Context({"request": request, "csrf_token": "t", "target": commitment, "following": True}))
        assert page == _reference({"request": request, "csrf_token": "t"}, commitment, True)
        assert "?q=a&amp;b=" in page  # the query string escaped in the attribute
    assert compared == 24


def test_follow_button_reads_the_follow_when_not_given():
    commitment = CommitmentFactory()
    user = get_user_model().objects.create_user("reader", "reader@example.org", "x-Pa55word-long")
    request = RequestFactory().get("/commitments/")
    request.user = user
    assert "Follow: email me new updates" in engagement.follow_button(Context({"request": request}), commitment)
    engagement.services.follow(commitment, by=user)
    assert "Stop following" in engagement.follow_button(Context({"request": request}), commitment)
