"""REST API plumbing shared by every app's viewsets (``<app>/api.py``).

* ``VersionedUpdateMixin``: PATCH through the app's service function, guarded by ETag / If-Match
  (no If-Match: 428; a stale one: 412); GET of one object returns its ETag.
* ``StrictModelSerializer``: unknown or read-only fields in a write are refused (400).
* ``exception_handler``: Django's validation errors and database rejections of a value become
  400 with a translated message per field; nothing a client sends yields a 500.
* ``ReadOnlyOrScopedWrite``: anyone reads what the scopes in ``ogp_portal.permissions`` show;
  writing needs a signed-in user or a read-write token, then the object's permission rule.
* Pagination (cursor for the large lists, page numbers elsewhere) and throttles.

The schema class is in ``ogp_portal/api_schema.py``. This module must not import
``rest_framework.views`` at load time: the REST_FRAMEWORK settings name classes in it.
"""

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.db import DataError, IntegrityError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, pagination, permissions, serializers, throttling
from rest_framework.response import Response

from ogp_portal.api_rows import ReadRowsMixin
from ogp_portal.cache import count_in_window
from ogp_portal.versioning import StaleVersion, current_version, etag

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _(
        "Send the If-Match header with the ETag you last read, so that you do not overwrite someone else's change."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = 412
    default_detail = _("This object changed since you read it. Read it again and reapply your change.")
    default_code = "precondition_failed"


def _django_errors(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """Return DRF's error response, with Django's and the database's rejections mapped to 4xx."""
    if isinstance(exc, StaleVersion):
        exc = PreconditionFailed()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, DataError):
        exc = exceptions.ValidationError({"non_field_errors": [_("A value is out of range or too long.")]})
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError({"non_field_errors": [_("This change conflicts with existing data.")]})
    # Imported here: this module is named in REST_FRAMEWORK settings, which rest_framework.views reads.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # A validation error without a field (such as a null character in a filter) is a list: give it
        # the documented shape of every 400, an object with its messages under non_field_errors.
        response.data = {"non_field_errors": response.data}
    return response


# ---------------------------------------------------------------------------
# Permissions, throttles, pagination
# ---------------------------------------------------------------------------


class ReadOnlyOrScopedWrite(permissions.BasePermission):
    """Reads for everyone; writes for a signed-in user whose token (if any) may write.

    Which rows a user reads is the viewset's ``get_queryset`` (scoped through
    ``ogp_portal.permissions``); whether they may change one object is ``has_object_permission``,
    which asks the viewset's ``write_permission`` rule.
    """

    message = _("You may not change this.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if getattr(token, "can_write", True) is False:
            self.message = _("This token may only read. Create a read-write token to change data.")
            return False
        return True

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        # A viewset names one rule for its writes, or one per action (``write_permissions``), and may
        # check the rule on a related object (``permission_object``, e.g. a piece of evidence's update).
        rule = getattr(view, "write_permissions", {}).get(getattr(view, "action", None)) or getattr(view, "write_permission", None)
        target = view.permission_object(obj) if hasattr(view, "permission_object") else obj
        return bool(rule) and request.user.has_perm(rule, target)


class _SettingsRateMixin:
    """Read the rate from ``settings.API_THROTTLE_RATES`` on each request (tests may change it)."""

    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]


class _FixedWindowMixin:
    """Count requests per fixed window with one atomic ``incr`` (O(1) a request).

    DRF's default keeps every request's timestamp of the last window in one cache entry, read,
    trimmed and written back on each request: its cost grows with the rate (at a generous rate,
    thousands of timestamps pickled per request: an empty API list served at a quarter of the
    one-row floor), and two workers' read-modify-write can lose counts. A counter per
    (client, window) in the cache (Redis in production: ``SET NX`` then ``INCR``) costs the same at
    any rate and loses nothing across workers. A client may send up to twice the rate across a
    window's boundary; ``Retry-After`` is the time to the next window.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        try:
            count = count_in_window(self.cache, key, self.duration + 1)  # one Redis round trip
        except Exception:
            # The cache (Redis) is down: the API keeps answering, unthrottled, rather than answer 500.
            logger.warning("Throttle cache unavailable; request allowed without counting", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self):
        return max(1.0, self.window_ends_at - self.now)


class AnonThrottle(_SettingsRateMixin, _FixedWindowMixin, throttling.AnonRateThrottle):
    pass


class UserThrottle(_SettingsRateMixin, _FixedWindowMixin, throttling.UserRateThrottle):
    """The signed-in rate, for signed-in users and tokens only (DRF's would also count anonymous clients by address)."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None  # AnonThrottle's
        return super().get_cache_key(request, view)


class SharedPublicListMixin(ReadRowsMixin):
    """A list whose answer is the same for everyone: a signed-in request reads the anonymous visitors' copy.

    For the viewsets whose rows (``get_queryset``), filters and fields read nothing of the user (the
    public reference data: members, agencies, plans, commitments, activities, milestones, forums,
    their seats, the meetings' attendance, the reviews of published progress, and the compliance record:
    deadlines, findings, status events and OGP decisions): what a signed-in user or a token would be rendered is, byte for byte, the copy the
    public page cache (ogp_portal/cache.py) keeps for anonymous clients under the same key (language,
    path, query, Accept, generation). So when that copy exists, it is the answer, after the view's own
    authentication, permission and throttle checks (a signed-in client is counted at its own rate).
    Nothing is stored from a signed-in request. A list that may show some users more than the public
    (progress updates with their drafts, meetings with minutes in preparation) shares the copy only
    with a user for whom it would be the same bytes (``shares_public_copy``: one query, e.g. no draft
    the user may see on that page); status reports and the records of a meeting never use this. Tests:
    tests/api/test_shared_lists.py (the same bytes; a coordinator's draft never in a shared answer).
    """

    def list(self, request, *args, **kwargs):
        return self.kept_public_copy(request) or super().list(request, *args, **kwargs)

    def kept_public_copy(self, request):
        """The anonymous visitors' kept copy of this answer for a signed-in user or a token, or None.

        Also for the viewset's actions whose answer reads nothing of the reader (``ogp_portal.cache.DAILY_ANSWERS``).
        """
        from django.core.cache import cache

        from ogp_portal import cache as page_cache

        if page_cache.enabled() and request.method == "GET" and not page_cache.anonymous_request(request._request):
            try:
                stored = cache.get(page_cache.page_key(request._request))
            except Exception:  # the cache server is down: render as usual
                stored = None
            if stored is not None and self.shares_public_copy(request):
                return page_cache.stored_response(stored)
        return None

    def shares_public_copy(self, request) -> bool:
        """Whether this user's answer is the anonymous copy (asked only when that copy exists).

        True for the public reference lists; a list that may show a user more than the public
        (progress updates, meetings) answers for the user at hand, at most one query.
        """
        return True


class _ReaderIdRead(Exception):
    """A list's ``beyond_public`` read the reader's id: its query takes the id as a parameter."""


class _ScopedReader:
    """A stand-in for a signed-in, active reader who is not an administrator: their roles and (when the query
    needs it) their id, a placeholder while the query is compiled: all that the ``visible_to`` rules read of a user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False

    def __init__(self, pk, roles):
        self._pk = pk
        self._ogp_roles_cache = list(roles)

    @property
    def pk(self):
        if self._pk is None:
            raise _ReaderIdRead
        return self._pk

    id = pk


# The shapes (list, reader's roles) whose query reads the reader's id (found when first built).
_READS_READER_ID: set = set()


class ScopedPublicListMixin(SharedPublicListMixin):
    """A list that shows some readers rows beyond the public ones (drafts, hidden proposals, records of a
    meeting whose minutes are in preparation), and nothing else of them (its serializer reads nothing of the user).

    ``beyond_public(reader)`` is the queryset of the rows ``reader`` may see that an anonymous visitor may not.
    A reader with no such row, whatever the list's filters, search or cursor, would be rendered the anonymous
    copy byte for byte, so they are served it: asked in one query (``LIMIT 1``) compiled once per process and
    reader's scope (the list and the reader's roles name the shape; their id, when the rule reads it, is a
    parameter: ``ogp_portal/compiled.py``), or none when the scope can show nothing more. Administrators, who
    may see every row, are always rendered for. A reader who may see one row more is rendered for, and
    nothing rendered for a signed-in reader is stored (``SharedPublicListMixin``). Tests:
    tests/api/test_shared_lists.py.
    """

    def beyond_public(self, reader):
        raise NotImplementedError

    def beyond_public_shape(self) -> tuple:
        """What of the request, besides the reader's roles, ``beyond_public`` depends on (a part of its query's shape)."""
        return ()

    def shares_public_copy(self, request) -> bool:
        from ogp_portal import permissions
        from ogp_portal.compiled import rows

        user = request.user
        if not (user and user.is_authenticated and user.is_active) or permissions.is_administrator(user):
            return False
        roles = frozenset(permissions._roles(user))
        name = (type(self).__name__, "beyond-public", roles, self.beyond_public_shape())
        if name not in _READS_READER_ID:
            try:
                return not rows(name, lambda: self.beyond_public(_ScopedReader(None, roles)).order_by().values_list("pk")[:1])
            except _ReaderIdRead:
                _READS_READER_ID.add(name)

        def build(user):
            return self.beyond_public(_ScopedReader(user, roles)).order_by().values_list("pk")[:1]

        return not rows((*name, "reader"), build, user=user.pk)


# The tables whose rows the database counts itself (``ogp_portal_table_rows``, migrations ogp_portal 0001, 0002).
ROW_COUNTED_TABLES = frozenset({
    "commitments_activity", "forums_attendance", "commitments_actionplan",  # migration ogp_portal 0001
    "forums_forummembership", "forums_meeting", "compliance_deadline",  # 0002
})


def stored_row_count(queryset):
    """The number of rows of ``queryset`` as the database keeps it, when that is the whole table; else ``None``.

    For a list without a filter, search or grouping over a table in :data:`ROW_COUNTED_TABLES`: one
    indexed read instead of a ``COUNT(*)`` of the whole table (~300,000-446,000 rows at scale 10,
    issue #20). The row is kept by triggers in each writing statement's transaction, so it is the
    count of the rows this reader sees. No row (a database other than PostgreSQL or SQLite): ``None``.
    """
    from django.db import connections
    from django.db.models import QuerySet

    if not isinstance(queryset, QuerySet):
        return None
    query = queryset.query
    table = queryset.model._meta.db_table
    if (
        table not in ROW_COUNTED_TABLES
        or query.where
        or query.distinct
        or query.combinator
        or query.is_sliced
        or query.group_by is not None
        or query.extra
        or queryset._result_cache is not None
    ):
        return None
    with connections[queryset.db].cursor() as cursor:
        cursor.execute('SELECT "rows" FROM ogp_portal_table_rows WHERE "table" = %s', [table])
        row = cursor.fetchone()
    return None if row is None else int(row[0])


class StoredCountPaginator(DjangoPaginator):
    """Django's paginator, with the count of a whole counted table read from where the database keeps it."""

    @cached_property
    def count(self):
        stored = stored_row_count(self.object_list)
        return super().count if stored is None else stored


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = StoredCountPaginator


class CursorPagination(pagination.CursorPagination):
    """For the long lists: stable pages however many rows are added meanwhile."""

    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        # A hand-made cursor can carry a position the ordering field cannot hold: that is a bad cursor, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            raise exceptions.NotFound(self.invalid_cursor_message) from None


# ---------------------------------------------------------------------------
# Serializers and conflict-safe writes
# ---------------------------------------------------------------------------


class _RefuseUnknownFields:
    """Refuse fields a write serializer does not accept, instead of ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                raise exceptions.ValidationError(
                    {key: [_("Unknown or read-only field: this endpoint does not accept it.")] for key in unknown}
                )
        return super().to_internal_value(data)


class StrictModelSerializer(_RefuseUnknownFields, serializers.ModelSerializer):
    """A write serializer that refuses fields it does not accept, instead of ignoring them."""


class StrictSerializer(_RefuseUnknownFields, serializers.Serializer):
    """The body of an action (submit, approve, cancel, ...): unknown fields refused."""


def _if_match_versions(header: str) -> list[str]:
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    return [tag.removeprefix("W/").strip('"') for tag in tags if tag != "*"]


IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=True,
    type=str,
    description="The ETag of the object as you last read it (GET returns it in the ETag header).",
)


ETAG = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200],
    type=str,
    description="The object's current version: send it back as If-Match to change the object.",
)


def require_if_match(request, obj) -> str:
    """Return the object's current version if If-Match names it; 428 without If-Match, 412 if stale."""
    versions = _if_match_versions(request.headers.get("If-Match", ""))
    if not versions:
        raise PreconditionRequired()
    current = current_version(obj)
    if current not in versions:
        raise PreconditionFailed()
    return current


def int_version(version: str) -> int:
    """The integer ``version`` column a service takes, from an ETag's value."""
    try:
        return int(version)
    except (TypeError, ValueError):
        raise PreconditionFailed() from None


def with_etag(response, obj):
    response["ETag"] = etag(obj)
    return response


def action_schema(request, response, *, versioned=True, description="", status=200, **kwargs):
    """The schema of a POST action (submit, approve, ...): If-Match required when ``versioned``."""
    parameters = [IF_MATCH, ETAG] if versioned else []
    return extend_schema(request=request, responses={status: response}, parameters=parameters, description=description, **kwargs)


class VersionedUpdateMixin:
    """Retrieve with an ETag; PATCH through ``update_service`` with If-Match.

    The viewset names ``write_serializer_class`` (a ``StrictModelSerializer``), the rule
    ``write_permission`` and ``update_service``: a function ``(obj, *, by, data, version)`` that
    re-checks the version under a row lock and raises ``StaleVersion`` when it moved.
    """

    write_serializer_class = None
    write_permission = None
    update_service = None

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag(instance)
        return response

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        current = require_if_match(request, instance)
        serializer = self.write_serializer_class(instance, data=request.data, partial=True, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        service = type(self).update_service
        updated = service(instance, by=request.user, data=serializer.validated_data, version=current)
        response = Response(self.get_serializer(updated).data)
        response["ETag"] = etag(updated)
        return response


def versioned_retrieve_schema():
    """The schema of a GET that returns the object's ETag."""
    return extend_schema(parameters=[ETAG])


def versioned_update_schema(serializer_class, write_serializer_class):
    """The schema of a conflict-safe PATCH (If-Match required, 412 / 428 documented)."""
    return extend_schema(
        request=write_serializer_class,
        responses={200: serializer_class},
        parameters=[IF_MATCH, ETAG],
        description="Change some fields. Send If-Match with the ETag from your last GET; "
        "without it the answer is 428, with a stale one 412.",
    )


def page_not_found(request, exception):
    """Answer unknown /api/ addresses in JSON, like the API's own 404s; other pages as before."""
    if request.path.startswith("/api/v1/") or request.path.startswith("/api/schema/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": str(_("Not found."))}, status=404)
    from django.views.defaults import page_not_found as default_page_not_found

    return default_page_not_found(request, exception)


# ---------------------------------------------------------------------------
# Writes of reference data (h11): create / PATCH / DELETE, each through one service function
# ---------------------------------------------------------------------------


class ServiceWriteMixin:
    """POST, PATCH (If-Match) and, where offered, DELETE (If-Match), each through the app's service.

    The viewset names ``create_serializer_class`` and ``write_serializer_class`` (strict
    serializers: unknown fields refused), ``write_permission`` (the rule ``has_object_permission``
    asks before a PATCH or DELETE; the services ask their own rules too) and the services:
    ``create_service(*, by, data)``, ``update_service(obj, *, by, data, version)`` and
    ``destroy_service(obj, *, by, version)`` (returns None when the row is gone, else the row, as
    when a membership is ended rather than deleted).
    """

    create_serializer_class = None
    write_serializer_class = None
    create_service = None
    update_service = None
    destroy_service = None

    def _answer(self, obj, status_code=200):
        obj = self.get_queryset().get(pk=obj.pk)
        return with_etag(Response(self.get_serializer(obj).data, status=status_code), obj)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return with_etag(Response(self.get_serializer(instance).data), instance)

    def create(self, request, *args, **kwargs):
        body = self.create_serializer_class(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        obj = type(self).create_service(by=request.user, data=dict(body.validated_data))
        return self._answer(obj, 201)

    def partial_update(self, request, *args, **kwargs):
        instance = self.get_object()
        current = require_if_match(request, instance)
        body = self.write_serializer_class(instance, data=request.data, partial=True, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        obj = type(self).update_service(instance, by=request.user, data=dict(body.validated_data), version=current)
        return self._answer(obj)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        current = require_if_match(request, instance)
        result = type(self).destroy_service(instance, by=request.user, version=current)
        if result is None:
            return Response(status=204)
        return self._answer(result)


def service_write_schema(serializer_class, create_serializer_class, write_serializer_class, *, destroy=None, what=""):
    """The schema of a ``ServiceWriteMixin`` viewset's operations (for ``extend_schema_view``)."""
    from drf_spectacular.utils import OpenApiResponse

    schemas = {
        "retrieve": versioned_retrieve_schema(),
        "create": extend_schema(
            request=create_serializer_class, responses={201: serializer_class}, parameters=[ETAG],
            description=f"Create {what}.",
        ),
        "partial_update": versioned_update_schema(serializer_class, write_serializer_class),
    }
    if destroy:
        responses = {204: OpenApiResponse(description="Deleted.")} if destroy.get("status", 204) == 204 else {200: serializer_class}
        schemas["destroy"] = extend_schema(parameters=[IF_MATCH], responses=responses, description=destroy["description"])
    return schemas


class BoundedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id: an id outside the database's range is "no such object", never an overflow."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, int) and not 1 <= data <= 2**63 - 1):
            self.fail("does_not_exist", pk_value=data)
        if isinstance(data, str) and data.strip().isdigit() and not 1 <= int(data) <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


def _reasonable_date(value):
    """Dates of OGP's records lie between 1900 and 2200 (outside that, date arithmetic of the rules would overflow)."""
    import datetime as dt

    if not dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 31):
        raise serializers.ValidationError(_("Enter a date between 1900 and 2200."))


class StrictWriteSerializer(StrictModelSerializer):
    """The body of a reference-data write: unknown fields refused, related objects by bounded id, dates in range."""

    serializer_related_field = BoundedPrimaryKeyRelatedField

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.DateField) and not isinstance(field, serializers.DateTimeField):
                field.validators.append(_reasonable_date)
        return fields
