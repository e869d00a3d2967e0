"""The public page cache: public pages and feeds, per language, for anonymous visitors only (issue #12).

How it works (BENCHMARKS.md §5 has the reasoning):

* **What is cached**: the GET answers of the views named in ``PUBLIC_PAGES`` (home, member, plan, commitment list,
  commitment, compliance overview and member page, forum page, Atom feeds, a plan's CSV) and of the REST API's lists
  (``api:*-list``), schema and a member's cycles and minimum requirements (``DAILY_ANSWERS``, kept per portal day),
  with status 200, for a visitor who sends no session cookie, no messages cookie and no ``Authorization`` header (so
  nobody signed in, no token, and nobody with a pending message). An API list served from the cache still counts
  against the anonymous throttle. A signed-in user's request is neither served from the cache nor stored into it, so
  their name, "Sign out" and follow buttons never reach anybody else, and they never see an anonymous copy, but for
  the answers that read nothing of the reader (the feeds and a plan's CSV: ``SHARED_WITH_SIGNED_IN``), which a
  signed-in reader is served from the kept copy. The open-data exports stream (a whole table can be hundreds of
  megabytes) and are not cached.
* **Per language**: the key holds the active language and the full path with its query string
  (sorted), so ``/``, ``/ru/`` and ``/ky/`` are different entries.
* **Per-response secrets are not replayed**: every page carries the language switcher's CSRF
  token, and a page may use the CSP nonce. The stored copy has both replaced by placeholders; a
  visitor served from the cache gets a fresh token of their own (the CSRF cookie is set as for a
  rendered page) and a fresh nonce, which the CSP middleware then puts into the header.
* **Invalidation by generation**: every key holds the current generation, a token stored in the
  cache. :func:`public_pages_changed` replaces it (after the transaction commits), so every
  cached page is out of date at once; the old entries expire by themselves (``CACHE_TIMEOUT``).
  The service functions that change what public pages show call it (publish a progress update or
  a status report, a review, a response, hiding a review, a compliance sweep that writes, an
  import, a forum publication), and so does every change made in the admin (its log entry).
* **A member's own pages keep their shared parts under the member's scope** (issue #20): the parts of
  the member, plan, commitment, forum and compliance member pages (``scope_fragments``) are keyed by
  ``member_generation`` (a base replaced by every unscoped change, and the member's own token). The
  frequent changes that touch one member's records (an update approved, a status report published, a
  review written, answered or hidden) call ``public_pages_changed(members=…)``: the whole pages and
  the pages across members are out of date as always, but the first visitor of another member's plan
  reuses its parts instead of rendering them again.

``PUBLIC_PAGE_CACHE`` (settings, default on; off in the test settings so tests that change rows
directly still read fresh pages) turns it all off.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from asgiref.local import Local
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.safestring import mark_safe

logger = logging.getLogger(__name__)

# The view names (namespace:name) whose anonymous GET answers are cached.
PUBLIC_PAGES = frozenset(
    {
        "commitments:home",
        "commitments:member",
        "commitments:plan",
        "commitments:list",
        "commitments:commitment",
        "commitments:member_feed",
        "commitments:plan_feed",
        "commitments:commitment_feed",
        "commitments:plan_csv",
        "engagement:feed_member",
        "engagement:feed_plan",
        "engagement:feed_commitment",
        "compliance:overview",
        "compliance:member",
        "forums:forum",
    }
)

# Of those, the answers that read nothing of the reader (issue #20): the Atom feeds (published progress, published
# status reports, the sweep's status events: ``commitments/feeds.py``, ``MemberFeed``) and a plan's CSV (every
# commitment, activity and milestone of the plan, which the public reads alike). A signed-in reader's GET is
# answered with the anonymous visitors' copy when one is kept (never stored from a signed-in request), as the
# API's public lists do (``ogp_portal.api.SharedPublicListMixin``). Tests: tests/test_shared_feeds.py.
SHARED_WITH_SIGNED_IN = frozenset(
    {
        "commitments:member_feed",
        "commitments:plan_feed",
        "commitments:commitment_feed",
        "commitments:plan_csv",
    }
)

# The REST API's public lists (``api:<resource>-list``) are cached the same way, for a client that
# sends neither a cookie nor an ``Authorization`` header (a token's answer is never shared), after
# the anonymous throttle has counted the request (a cached answer is not a way around it).
# The OpenAPI schema (``api:schema``, seconds to generate) is cached the same way.
API_LIST = re.compile(r"^api:([a-z-]+-list|schema)$")

# A member's cycles and minimum requirements (``compliance/api.py``): kept like the API lists and per portal day too
# (a cycle or a period turns at midnight with no change announced); shared as ``SharedPublicListMixin`` shares.
DAILY_ANSWERS = frozenset({"api:deadline-cycles", "api:deadline-minimum-requirements"})

GENERATION_KEY = "pages:generation"  # replaced by every change
BASE_KEY = "pages:base"  # replaced by every change not scoped to members (public_pages_changed(members=…))
SCOPE_KEY = "pages:member:%d"  # replaced by a change scoped to this member
CSRF_PLACEHOLDER = b"\x00csrf\x00"
NONCE_PLACEHOLDER = b"\x00nonce\x00"
_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
MAX_QUERY = 512  # a longer query string is not cached (bounded key space)
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Content-Disposition", "Last-Modified", "Allow")


def enabled() -> bool:
    return getattr(settings, "PUBLIC_PAGE_CACHE", True)


def public_pages_changed(members=None) -> None:
    """Mark every cached public page out of date once the current transaction commits.

    Call it from each service function that changes what a public page or feed shows. A
    rolled-back change invalidates nothing, and no reader can cache the old data after the
    commit (the new generation is set after the rows are visible).

    ``members``: the ids of the members whose records alone the change touches (a progress update
    approved, a status report published, a review written, answered or hidden). Then the pages
    across members (home, list, compliance overview, API lists, feeds, every whole page kept for
    anonymous visitors) are out of date as always, but of the shared parts of a member's own pages
    (``scope_fragments``) only those of these members: the first visitor of another member's plan
    after a publication reuses its parts instead of rendering them again. Without ``members`` (an
    import, the admin, a sweep, anything else) every part is out of date.
    """
    scope = None if members is None else sorted({int(pk) for pk in members if pk is not None})
    transaction.on_commit(lambda: _bump(scope), robust=True)


def _bump(members=None) -> None:
    # A failure here is logged by on_commit(robust=True); pages then expire within CACHE_TIMEOUT.
    value = uuid.uuid4().hex
    changed = {GENERATION_KEY: value}
    if members is None:
        changed[BASE_KEY] = value
    else:
        changed.update({SCOPE_KEY % pk: value for pk in members})
    cache.set_many(changed, None)
    if getattr(_request, "generation", None) is not None:
        _request.generation = value  # the rest of this request reads what it just changed
        _request.scopes = {}
        if members is None:
            _request.base = value


# The generation, read once per request (issue #20): a page with several fragments and derived figures
# asked the cache for it once per part. Held only between request_started and request_finished (a
# worker's task or a command, outside any request, reads it every time); a change made by this request
# replaces it at once (``_bump``); one made meanwhile by another process is seen from the next request.
_request = Local()


def _request_started(**kwargs) -> None:
    _request.generation = ""  # in a request: read at the first use
    _request.base = ""
    _request.fragments = None
    _request.scopes = {}
    _request.scope = None


def _request_finished(**kwargs) -> None:
    _request.generation = None
    _request.base = None
    _request.fragments = None
    _request.scopes = None
    _request.scope = None


request_started.connect(_request_started, dispatch_uid="public_pages_generation_started")
request_finished.connect(_request_finished, dispatch_uid="public_pages_generation_finished")


def generation() -> str:
    memo = getattr(_request, "generation", None)
    if memo:
        return memo
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        value = cache.get(GENERATION_KEY) or "0"
    if memo is not None:
        _request.generation = value
    return value


def _read_or_start(found, key) -> str:
    value = found.get(key)
    if value is None:  # never set, or evicted: a value never used before, so no old part comes back
        cache.add(key, uuid.uuid4().hex, None)
        value = cache.get(key) or "0"
    return value


def base_generation() -> str:
    """The token replaced by every change not scoped to members (an import, the admin, a sweep, a plan created...).

    A change scoped to members (a publication, a review: ``public_pages_changed(members=…)``) leaves it be.
    Read once per request; outside a request, every time.
    """
    memo = getattr(_request, "base", None)
    if memo:
        return memo
    value = _read_or_start({BASE_KEY: cache.get(BASE_KEY)}, BASE_KEY)
    if memo is not None:
        _request.base = value
    return value


def member_generation(member_id: int) -> str:
    """The token a member's scoped shared parts are kept under: replaced by a change to everything or to this member.

    Read once per request and member (one round trip for both values); outside a request, every time.
    """
    memo = getattr(_request, "scopes", None)
    if memo is not None and member_id in memo:
        return memo[member_id]
    keys = (BASE_KEY, SCOPE_KEY % member_id)
    found = cache.get_many(keys)
    value = ".".join(_read_or_start(found, key) for key in keys)
    if memo is not None:
        memo[member_id] = value
    _seen_scope(member_id, value)
    return value


# The token each member's parts were last keyed under, as this process last read it (issue #20): a page of a
# member's own reads its parts in the same round trip as the tokens, keyed under this guess, and uses them
# only if the tokens read in that same MGET are the guess (:func:`prefetch_fragments`). Never trusted alone.
_LAST_SCOPES: dict = {}
_LAST_SCOPES_KEPT = 20_000


def _seen_scope(member_id: int, value: str) -> None:
    if len(_LAST_SCOPES) >= _LAST_SCOPES_KEPT:
        _LAST_SCOPES.clear()
    _LAST_SCOPES[member_id] = value


def _scoped_key(name: str, language: str, member: int, token: str) -> str:
    return f"fragment:m{member}:{token}:{language}:{name}"


def scope_fragments(member_id) -> None:
    """Say that this request's page is one member's own page (member, plan, commitment, forum, compliance member).

    Its shared parts (:func:`fragment`, ``{% shared_fragment %}``, :func:`prefetch_fragments`) are then kept
    under :func:`member_generation`, so a change scoped to another member leaves them be (see
    :func:`public_pages_changed`). Such a part may show only this member's records and what only an
    unscoped change alters (names, agencies, policies, the sweep's findings): a change to another member's
    progress, reports or reviews must not show in it. Only within a request.
    """
    if getattr(_request, "generation", None) is not None:
        _request.scope = member_id


def fragment_key(name: str, language: str | None = None, member: int | None = None) -> str:
    """The cache key of the shared part ``name`` in ``language`` (the active one), scoped to ``member`` if given."""
    language = language or translation.get_language()
    if member is None:
        return f"fragment:{generation()}:{language}:{name}"
    return _scoped_key(name, language, member, member_generation(member))


def get_with_generation(backend, key: str):
    """``backend.get(key)``; in a request that has not read the generation yet, read it in the same round trip.

    For the session, read from the cache at the start of every signed-in request (accounts/sessions.py):
    the generation its page's fragments are keyed under then comes with it (one ``MGET``), not in a
    round trip of its own (issue #20). Outside a request, or from another cache, a plain ``get``.
    """
    return get_many_with_generation(backend, [key]).get(key)


def get_many_with_generation(backend, keys) -> dict:
    """``backend.get_many(keys)``, with the generation in the same round trip as :func:`get_with_generation` does.

    For the session and what is kept beside it (accounts/backends.py: the signed-in user, the accounts' token).
    """
    if getattr(_request, "generation", None) != "" or backend is not caches["default"]:
        return backend.get_many(keys) if len(keys) > 1 else {k: v for k in keys if (v := backend.get(k)) is not None}
    found = backend.get_many([*keys, GENERATION_KEY])
    if found.get(GENERATION_KEY):
        _request.generation = found[GENERATION_KEY]
    return found


def derived(name: str, compute, timeout: int = 300):
    """Return ``compute()``, kept in the cache under the current generation (``name`` must say what it depends on).

    For figures every visitor shares and that only a service, an import or the admin change (so
    :func:`public_pages_changed` replaces the generation), such as the home page's headline
    figures: a signed-in user's page then reuses them instead of scanning whole tables. Follows
    ``PUBLIC_PAGE_CACHE`` (off in tests, which change rows directly); a cache that is down costs
    the computation, never the page.
    """
    if not enabled():
        return compute()
    return _kept(lambda: f"derived:{generation()}:{name}", name, compute, timeout)


def derived_across_publications(name: str, compute, timeout: int = 300):
    """:func:`derived` for what no change scoped to members alters: kept under :func:`base_generation`.

    For the parts of the pages across members that only an unscoped change can alter (issue #20: the
    first visitor of the home page after a publication elsewhere): the members, their names and stored
    standing (the sweep's), the open deadlines (the sweep's and the administrators'). A publication,
    a published status report or a review (``public_pages_changed(members=…)``) leaves them kept; every
    other change replaces them. Nothing a publication, a report or a review writes may be in them.
    """
    if not enabled():
        return compute()
    return _kept(lambda: f"derived:b{base_generation()}:{name}", name, compute, timeout)


_IN_PROCESS: dict = {}
_IN_PROCESS_KEPT = 4096


def derived_in_process(name, compute, timeout: int = 300):
    """:func:`derived` kept in this process's memory under the current generation: no round trip of its own.

    For small values every visitor shares that only an unscoped change alters and that a page reads on
    every visit (issue #20: the policy versions a staff page's reporting periods or forum cadence read,
    one query a visit): in a request the generation came with the session in one MGET, so a hit costs
    nothing. The same lifetime as :func:`derived` (a new generation or ``timeout`` seconds); ``name``
    (hashable) must say what the value depends on; the value must not be changed by its readers.
    Follows ``PUBLIC_PAGE_CACHE``; a cache that is down costs the computation.
    """
    if not enabled():
        return compute()
    try:
        token = generation()
    except Exception:
        logger.warning("Cache unavailable; computing %s", name, exc_info=True)
        return compute()
    now = time.monotonic()
    found = _IN_PROCESS.get(name)
    if found is not None and found[0] == token and found[1] > now:
        return found[2]
    value = compute()
    if len(_IN_PROCESS) >= _IN_PROCESS_KEPT:
        _IN_PROCESS.clear()
    _IN_PROCESS[name] = (token, now + timeout, value)
    return value


def _kept(key, name: str, compute, timeout: int):
    """``compute()``'s value kept under ``key()``; a cache that is down costs the computation, never the answer."""
    try:
        key = key()
        read = getattr(_request, "fragments", None)
        value = read.get(key) if read else None
        if value is None:
            value = cache.get(key)
    except Exception:
        logger.warning("Cache unavailable; computing %s", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("Cache unavailable; %s not stored", name, exc_info=True)
    return value


def fragment(name: str, render, timeout: int = 300) -> str:
    """Return the HTML ``render()`` makes, kept in the cache under the current generation and language.

    A part of a page that is the same for every visitor (issue #20): the plan page's summary,
    timeline and commitments, rendered once and then served to anonymous and signed-in visitors
    alike, so a coordinator's page no longer renders (nor queries) them again. ``name`` says what
    the part depends on besides the data behind the generation: the object and its version or
    updated stamp, the day when it shows one. Nothing per visitor may be inside (no follow button,
    no edit link, no form, no CSRF token, no CSP nonce): the view renders those outside the
    fragment. Every change a service, an import or the admin makes replaces the generation (see
    :func:`public_pages_changed`), so no fragment outlives a change. Follows ``PUBLIC_PAGE_CACHE``;
    a cache that is down costs the rendering, never the page.
    """
    if not enabled():
        return render()
    member = getattr(_request, "scope", None)
    value = _kept(lambda: fragment_key(name, member=member), name, lambda: str(render()), timeout)
    return mark_safe(value)  # noqa: S308 - HTML rendered by our own templates (autoescaped)


def query_fragment(request, name: str, render, day) -> str:
    """Return a page's content kept as a :func:`fragment` per query string, ``day`` and language.

    For the pages whose content is the same for every visitor with the same query (the home page,
    the compliance overview, the commitment list's results): the parameters in a canonical order,
    hashed. A query string longer than the page cache keeps (``MAX_QUERY``) is rendered, not kept, so
    the cache's key space stays bounded whatever a visitor types.
    """
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    if len(query) > MAX_QUERY:
        return render()
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    return fragment(f"{name}:{digest}:{day.isoformat()}", render)


def prefetch_fragments(*names: str) -> None:
    """Read the page's fragments ``names`` (as :func:`fragment` names them) in one cache round trip.

    A page of several shared parts asked the cache once per part; after this, :func:`fragment` takes
    the copies read here (under this request's generation and language: a change the request makes
    replaces the generation, so the copies read before it are not used). Only within a request;
    a cache that is down costs nothing here (each part then asks, as before).
    """
    if not enabled() or getattr(_request, "generation", None) is None:
        return
    try:
        member = getattr(_request, "scope", None)
        scopes = getattr(_request, "scopes", None)
        if member is not None and scopes is not None and member not in scopes:
            found = _read_scope_and_fragments(member, names)
        else:
            found = cache.get_many([fragment_key(name, member=member) for name in names])
    except Exception:
        logger.warning("Cache unavailable; fragments not read ahead", exc_info=True)
        return
    _request.fragments = {**(getattr(_request, "fragments", None) or {}), **found}


def _read_scope_and_fragments(member: int, names) -> dict:
    """A member's scope tokens and its page's parts in one round trip, when this process has seen the tokens before.

    The parts are asked for under the token this process last read (``_LAST_SCOPES``) in the same ``MGET``
    as the tokens themselves, and kept only if the tokens read are that guess: what one ``MGET`` returns
    was all current at one instant, so a part is never taken under an out-of-date token. A guess that
    no longer holds (a change since, or none yet) costs the second round trip the page always made.
    """
    keys = (BASE_KEY, SCOPE_KEY % member)
    language = translation.get_language()
    guess = _LAST_SCOPES.get(member)
    wanted = [_scoped_key(name, language, member, guess) for name in names] if guess else []
    found = cache.get_many([*keys, *wanted])
    value = ".".join(_read_or_start(found, key) for key in keys)
    _request.scopes[member] = value
    _seen_scope(member, value)
    if value == guess:
        return {key: found[key] for key in wanted if key in found}
    return cache.get_many([_scoped_key(name, language, member, value) for name in names])


def anonymous_request(request) -> bool:
    """Return True for a GET/HEAD without a session or messages cookie or a token (nobody signed in)."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies or "HTTP_AUTHORIZATION" in request.META:
        return False
    return len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY


def cached_view(view_name: str) -> bool:
    """Return whether anonymous GET answers of this view are cached: a public page, a feed or an API list."""
    return view_name in PUBLIC_PAGES or view_name in DAILY_ANSWERS or bool(API_LIST.match(view_name))


def _shared_with_signed_in(request, view_name: str) -> bool:
    """A signed-in GET of an answer that reads nothing of the reader (``SHARED_WITH_SIGNED_IN``): the kept copy serves it."""
    return (
        view_name in SHARED_WITH_SIGNED_IN
        and request.method in ("GET", "HEAD")
        and len(request.META.get("QUERY_STRING", "")) <= MAX_QUERY
    )


def page_key(request) -> str:
    query = "&".join(sorted(request.META.get("QUERY_STRING", "").split("&")))
    raw = f"{translation.get_language()}|{request.path}|{query}"
    if request.path.startswith("/api/"):  # the API negotiates its format (the schema: YAML or JSON) from Accept
        raw += "|" + request.META.get("HTTP_ACCEPT", "")
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in DAILY_ANSWERS:
        raw += "|" + timezone.localdate().isoformat()
    return f"page:{generation()}:{hashlib.sha256(raw.encode()).hexdigest()}"


def stored_response(stored) -> HttpResponse:
    """A response of a kept copy whose placeholders are filled (or that has none: an API answer)."""
    content, headers = stored
    response = HttpResponse(content)
    for name, value in headers.items():
        response[name] = value
    return response


def _throttled(request, view_func) -> bool:
    """Count an anonymous API request against its throttles, as the view would; True when over the rate."""
    view_class = getattr(view_func, "cls", None)
    if view_class is None:
        return False
    view = view_class()
    return any(not throttle().allow_request(request, view) for throttle in view_class.throttle_classes)


class PublicPageCacheMiddleware(MiddlewareMixin):
    """Serve and store the public pages (place it last: it needs the resolved view and the language)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not enabled() or match is None or not cached_view(match.view_name):
            return None
        anonymous = anonymous_request(request)
        if not anonymous and not _shared_with_signed_in(request, match.view_name):
            return None
        try:
            key = page_key(request)
            stored = cache.get(key)
        except Exception:  # the cache server is down: render the page as if nothing were cached
            logger.warning("Public page cache unavailable; rendering %s", request.path, exc_info=True)
            return None
        if stored is None:
            if anonymous:  # a signed-in reader's answer is never stored
                request._public_page_key = key
            return None
        if match.view_name not in PUBLIC_PAGES and _throttled(request, view_func):
            return None  # the view answers 429 itself, with its Retry-After
        content, headers = stored
        if CSRF_PLACEHOLDER in content:
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        if NONCE_PLACEHOLDER in content:
            content = content.replace(NONCE_PLACEHOLDER, str(request._csp_nonce).encode())
        response = stored_response((content, headers))
        response["X-Page-Cache"] = "hit"
        return response

    def process_response(self, request, response):
        key = getattr(request, "_public_page_key", None)
        if key is None or request.method != "GET" or response.status_code != 200 or response.streaming:
            return response
        if response.cookies or getattr(request, "session", None) is not None and request.session.modified:
            return response  # something per visitor was set: never share it
        content = response.content
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            tokens = set(_CSRF_INPUT.findall(content))
            if not tokens:
                return response  # the token is used somewhere we cannot find it again: do not cache
            for token in tokens:
                content = content.replace(token, CSRF_PLACEHOLDER)
        nonce = getattr(request, "_csp_nonce", None)
        if nonce:  # the nonce was generated, so the page may carry it
            content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        try:
            cache.set(key, (content, headers))
        except Exception:
            logger.warning("Public page cache unavailable; %s not stored", request.path, exc_info=True)
            return response
        response["X-Page-Cache"] = "miss"
        return response


def _admin_changed(sender, **kwargs):
    """Every add, change or delete in the admin writes a log entry: public pages may have changed."""
    public_pages_changed()


# Connected when the middleware loads (every web process): the admin is only reached through it.
post_save.connect(_admin_changed, sender="admin.LogEntry", dispatch_uid="public_pages_admin_changed")


def count_in_window(backend, key: str, seconds: int) -> int:
    """Add one to the counter ``key`` of ``backend`` (created for ``seconds``) and return it: the throttles' count.

    On Redis, one round trip (``SET NX EX`` and ``INCR`` in one ``MULTI``/``EXEC``); Django's generic
    ``add`` then ``incr`` costs three there (``incr`` asks ``EXISTS`` first), on every API request
    (issue #20). Other backends: ``add`` then ``incr``. Errors are the caller's (the throttles fail open).
    """
    from django.core.cache import DEFAULT_CACHE_ALIAS, caches
    from django.core.cache.backends.redis import RedisCache

    if backend is cache:
        backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=True)
        pipeline.set(full_key, 0, ex=seconds, nx=True)
        pipeline.incr(full_key)
        return int(pipeline.execute()[1])
    backend.add(key, 0, seconds)
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.set(key, 1, seconds)
        return 1
