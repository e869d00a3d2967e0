"""The plan and commitment pages' own object: its head read in SQL written once per process (issue #20).

A page's head is what it shows of its object outside its shared parts (title, breadcrumb, follow button,
per-visitor links), with the parents it names, and whether the signed-in visitor follows it. With the shared
parts kept (production), that is all a visit reads of the object (``page_head``); the whole row is read only
when a shared part is rendered (``page_object``'s ``whole``). Tests: tests/commitments/test_page_heads.py.
"""

import functools
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, F
from django.db.models.expressions import RawSQL
from django.http import Http404

from ogp_portal import cache as page_cache
from ogp_portal.compiled import compiled

from .models import ActionPlan, Agency, Commitment, Member


def following_sql(model, user, field):
    """``EXISTS`` (the user follows the row of ``model`` through Follow's ``field``), as one SQL expression.

    The same condition as ``Exists(Follow.objects.filter(user=user, <field>=OuterRef("pk")))``,
    written as SQL: the ORM's subquery cost more to build and compile (about 0.4 ms, on every signed-in
    visit of a plan, commitment or member page) than it costs to run (issue #20).
    """
    return RawSQL(_following_condition(model, field), (user.pk,), output_field=BooleanField())  # noqa: S611 - our own table and column names


def _following_condition(model, field) -> str:
    """``following_sql``'s SQL, the user's id its one parameter."""
    follow = model._meta.get_field("follows").related_model  # engagement's Follow, without importing engagement
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {quote(follow._meta.db_table)} f"
        f" WHERE f.{quote(follow._meta.get_field('user').column)} = %s"
        f" AND f.{quote(follow._meta.get_field(field).column)} = {table}.{quote(model._meta.pk.column)})"
    )


# A page's head (issue #20): what a page shows of its object outside its shared parts (title, breadcrumb, follow
# button, per-visitor links), with the parents it names. ``(model, columns)`` from the object up to its member;
# a translated field brings its language columns (``tr`` falls back through them).
PAGE_HEADS = {
    "plan": ((ActionPlan, ("id", "member_id", "title")), (Member, ("id", "code", "name"))),
    "commitment": (
        (Commitment, ("id", "plan_id", "lead_agency_id", "identifier", "title")),
        (ActionPlan, ("id", "member_id", "title")),
        (Member, ("id", "code", "name")),
    ),
}

PAGE_KEYS = {"plan": "id", "commitment": "identifier"}  # what the page's URL names its object by


def _head_columns(model, names):
    """The attnames of ``names`` and of their language columns, in the model's own order (what ``from_db`` takes)."""
    wanted = set(names) | {f"{name}_{code.replace('-', '_')}" for name in names for code, _label in settings.LANGUAGES}
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


@functools.lru_cache(maxsize=8)
def _head_sql(kind: str, alias: str, signed_in: bool):
    """The SQL of a page's head, its columns per model, and its parameters' order: written once per process.

    One join up the parents, the columns the head shows, and for a signed-in visitor whether they follow
    the object (``following_sql``): the ORM built and compiled the page's query with every column of three
    or four tables on every visit (about 2-3 ms of a signed-in plan or commitment page; this runs in 0.2-0.3).
    """
    quote = connection.ops.quote_name
    steps = PAGE_HEADS[kind]
    columns, select, joins = [], [], []
    for i, (model, names) in enumerate(steps):
        table = quote(model._meta.db_table)
        attnames = _head_columns(model, names)
        columns.append(attnames)
        select += [f"{table}.{quote(name)}" for name in attnames]
        if i:
            parent = steps[i - 1][0]
            link = next(f for f in parent._meta.concrete_fields if f.is_relation and f.related_model is model)
            joins.append(
                f" INNER JOIN {table} ON {table}.{quote(model._meta.pk.column)}"
                f" = {quote(parent._meta.db_table)}.{quote(link.column)}"
            )
    root = steps[0][0]
    params = []
    if signed_in:
        select.append(_following_condition(root, kind))
        params.append("user")
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(root._meta.db_table)}{''.join(joins)}"
        f" WHERE {quote(root._meta.db_table)}.{quote(root._meta.get_field(PAGE_KEYS[kind]).column)} = %s"
    )
    return sql, tuple(columns), (*params, "key")


def page_head(kind: str, key, user):
    """The page's object as its head shows it (``PAGE_HEADS``), its parents attached, or 404.

    Model instances with the other columns deferred: what a shared part shows of them is read when that
    part is rendered (``_whole``). ``following`` is set for a signed-in ``user``.
    """
    signed_in = bool(user and user.is_authenticated)
    sql, columns, order = _head_sql(kind, connection.alias, signed_in)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if name == "user" else key for name in order])
        row = cursor.fetchone()
    if row is None:
        raise Http404(f"No {PAGE_HEADS[kind][0][0]._meta.object_name} matches the given query.")  # get_object_or_404's
    objects, start = [], 0
    for (model, _names), attnames in zip(PAGE_HEADS[kind], columns):
        objects.append(model.from_db(connection.alias, attnames, row[start : start + len(attnames)]))
        start += len(attnames)
    for child, parent in zip(objects, objects[1:]):
        link = next(f for f in type(child)._meta.concrete_fields if f.is_relation and f.related_model is type(parent))
        link.set_cached_value(child, parent)
    if signed_in:
        objects[0].following = bool(row[-1])
    return objects[0]


def _whole(head, *select_related):
    """The whole row of ``head`` (a ``page_head`` object), with the parents the head read: for its shared parts."""
    model = type(head)
    queryset = model.objects.select_related(*select_related) if select_related else model.objects.all()
    whole = queryset.get(pk=head.pk)
    for field in model._meta.concrete_fields:
        if field.is_relation and field.is_cached(head) and not field.is_cached(whole):
            field.set_cached_value(whole, field.get_cached_value(head))
    return whole


def page_object(kind, key, request, *select_related):
    """The page's object and ``whole()``, its whole row for the page's shared parts.

    With the shared parts kept (``PUBLIC_PAGE_CACHE``, production): the head alone (``page_head``), and the
    whole row read only when a part is rendered (the first visitor after a change). Without (every part is
    rendered): the whole row and its parents in the page's one query (``page_whole``), as the parts need them.
    """
    if page_cache.enabled():
        head = page_head(kind, key, request.user)
        return head, functools.cache(lambda: _whole(head, *select_related))
    whole = page_whole(kind, key, request.user)
    return whole, lambda: whole


def kept_page_object(kind, key, *select_related):
    """:func:`page_object` with the shared parts kept, its head kept in the process under the generation (issue #20).

    The head is the same for every visitor (no ``following``: ``commitments.following`` keeps that per reader), and
    only an import, the admin or a service that replaces the generation changes what it shows. Its readers must
    not change it (it serves every request of the process until the next change).
    """
    head = page_cache.derived_in_process(("page-head", kind, key), lambda: page_head(kind, key, None))
    return head, functools.cache(lambda: _whole(head, *select_related))


# The parents a page's whole row comes with when every part is rendered (``page_whole``): (path, model,
# columns), the columns those parts and the head show of them. A translated field's language columns only
# (``tr`` reads those; modeltranslation may rewrite its base name in an expression).
WHOLE_PARENTS = {
    "plan": (("member", Member, ("id", "code", "name_en", "name_ru", "name_ky")),),
    "commitment": (
        ("plan", ActionPlan, ("id", "member_id", "title_en", "title_ru", "title_ky")),
        ("plan__member", Member, ("id", "code", "name_en", "name_ru", "name_ky")),
        ("lead_agency", Agency, ("id", "name_en", "name_ru", "name_ky", "acronym")),
    ),
}


def _whole_query(kind, signed_in):
    model = PAGE_HEADS[kind][0][0]

    def build(key, user=None):
        columns = {
            f"p{i}_{column}": F(f"{path}__{column}")
            for i, (path, _model, names) in enumerate(WHOLE_PARENTS[kind])
            for column in names
        }
        queryset = model.objects.filter(**{PAGE_KEYS[kind]: key}).annotate(**columns)
        if signed_in:
            queryset = queryset.annotate(following=following_sql(model, SimpleNamespace(pk=user), kind))
        return queryset

    return build


_WHOLE = {(kind, signed_in): _whole_query(kind, signed_in) for kind in PAGE_HEADS for signed_in in (False, True)}


def page_whole(kind: str, key, user):
    """The page's whole row, the parents its parts show attached, ``following`` for a signed-in ``user``, or 404.

    One statement compiled once per process (``ogp_portal.compiled``): the ORM built and compiled the same
    query, with every column of three or four tables, on every render (about 2-3 ms of a first render).
    """
    signed_in = bool(user and user.is_authenticated)
    build = _WHOLE[kind, signed_in]
    if signed_in:
        found = list(compiled(("page-whole", kind, True), build, key=key, user=user.pk))
    else:
        found = list(compiled(("page-whole", kind, False), build, key=key))
    if not found:
        raise Http404(f"No {PAGE_HEADS[kind][0][0]._meta.object_name} matches the given query.")  # get_object_or_404's
    whole = found[0]
    by_path = {"": whole}
    for i, (path, model, names) in enumerate(WHOLE_PARENTS[kind]):
        ordered = [f.attname for f in model._meta.concrete_fields if f.attname in names]  # as from_db takes them
        values = [getattr(whole, f"p{i}_{column}") for column in ordered]
        parent = None if getattr(whole, f"p{i}_id") is None else model.from_db(whole._state.db, ordered, values)
        holder_path, _sep, name = path.rpartition("__")
        holder = by_path[holder_path]
        type(holder)._meta.get_field(name).set_cached_value(holder, parent)
        by_path[path] = parent
    return whole
