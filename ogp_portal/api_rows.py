"""Fast rows for the API's lists: the same JSON as DRF's serializers, without their per-field machinery per row.

A list of 50 commitments asks DRF for 1,250 field values; each goes through ``Field.get_attribute``
(a loop over the source's parts, exception guards, callables checked), the ``_readable_fields``
generator, the ``PKOnlyObject`` check and, for a translated text, modeltranslation's descriptor (the
language's fallback order computed again for every value). :class:`FastRowsMixin` builds, once per
serializer (so once per request), a list of ``(name, getter)``; each getter gives exactly what DRF
would give for that field:

* a concrete column (not translated): the attribute, ``None`` kept, else the field's own
  ``to_representation`` (``str`` for a plain ``CharField``);
* a foreign key shown as its id (``PrimaryKeyRelatedField``): the ``…_id`` column; a many-to-many
  shown as ids, when prefetched: the prefetched rows' ids (no related manager built per row);
* a translated text (django-modeltranslation): the first meaningful value in the language's
  fallback order, computed once; when none is, the descriptor itself answers (its fallback value
  or default);
* a ``SerializerMethodField``: the serializer's method;
* anything else (dotted sources, properties, nested serializers, many-to-many): DRF's own
  ``get_attribute`` / ``to_representation``, with its ``SkipField`` and ``None`` rules.

``tests/api/test_fast_rows.py`` compares every list using it with DRF's own output, byte for byte,
in each language. :class:`ReversedUrl` builds a row's page address from one ``reverse()`` per request.
What a list fetches is cut to what its rows show: :func:`without_base_columns` (the active language's
texts and their fallback's only), :func:`prefetch_ids` (a many-to-many's ids, no instances),
:func:`read_rows` (each instance filled from its row, without ``Model.__init__``).
"""

from __future__ import annotations

from datetime import datetime as _DATETIME
from operator import attrgetter

from django.db.models import ManyToManyField
from django.db.models.query_utils import DeferredAttribute

from ogp_portal.paths import is_plain, path_of
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

_SKIP = object()


def _plain(field, get):
    conv = str if type(field) is serializers.CharField else field.to_representation

    def value(instance):
        v = get(instance)
        return None if v is None else conv(v)

    return value


def _translated(field, descriptor, model):
    from django.utils.translation import get_language
    from modeltranslation.fields import NONE
    from modeltranslation.utils import build_localized_fieldname, fallbacks_enabled, resolution_order

    undefined = descriptor.fallback_undefined
    if undefined is NONE:
        undefined = descriptor.field.get_default()
    # What the descriptor answers when no language has a meaningful value (its last lines).
    use_fallback_value = fallbacks_enabled() and descriptor.fallback_value is not NONE
    names = [
        build_localized_fieldname(descriptor.field.name, lang)
        for lang in resolution_order(get_language(), descriptor.fallback_languages)
    ]
    conv = str if type(field) is serializers.CharField else field.to_representation

    def value(instance):
        d = instance.__dict__
        for name in names:
            v = d.get(name, _SKIP)
            if v is _SKIP:  # a deferred column: the descriptor loads it, as DRF would
                v = descriptor.__get__(instance, model)
                break
            if v is not None and v != undefined:
                break
        else:  # nothing meaningful: the descriptor's fallback value, else the field's default
            v = descriptor.fallback_value if use_fallback_value else descriptor.field.get_default()
        return None if v is None else conv(v)

    return value


def _generic(field):
    def value(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return _SKIP
        check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check_for_none is None else field.to_representation(attribute)

    return value


def prefetched_rows(name: str) -> str:
    """The attribute a list prefetches the related rows of ``name`` into (``Prefetch(name, to_attr=…)``).

    Prefetched into a plain list, Django builds no related manager and no queryset for each row (the
    machinery's cost grows with the page, not with the related rows); a nested list of fast rows
    (``_Nested``) reads its rows from it.
    """
    return f"{name}_prefetched"


def prefetched_ids(name: str) -> str:
    """The attribute :func:`prefetch_ids` puts a row's ids of the many-to-many ``name`` in (a plain list of ids)."""
    return f"{name}_prefetched_ids"


def prefetch_ids(rows, name: str, related) -> None:
    """Put on each of ``rows`` the ids of its forward many-to-many ``name``, in the order of ``related``.

    One query of (row id, related id) pairs, filtered and ordered as ``related`` (a queryset of the
    related model) is: what ``Prefetch(name, queryset=related)`` reads, without a model instance made
    for each related row, a queryset per row or the prefetch machinery (a third of a list of plans).
    The fast rows read the ids from it; a row without them is read as DRF reads it.
    """
    rows = [row for row in rows if row.pk is not None]
    if not rows:
        return
    field = type(rows[0])._meta.get_field(name)
    back = field.related_query_name()
    ids = {row.pk: [] for row in rows}
    for row_id, related_id in related.filter(**{f"{back}__in": list(ids)}).values_list(back, "pk"):
        ids[row_id].append(related_id)
    attribute = prefetched_ids(name)
    for row in rows:
        row.__dict__[attribute] = ids[row.pk]


def _prefetched_ids(field, name):
    """The ids of a forward many-to-many put on the row (:func:`prefetch_ids`) or prefetched (no manager built per row)."""
    generic = _generic(field)
    plain = prefetched_ids(name)

    def value(instance):
        d = instance.__dict__
        if plain in d:
            return list(d[plain])
        cache = d.get("_prefetched_objects_cache")
        if cache is None or name not in cache or instance.pk is None:
            return generic(instance)
        return [related.pk for related in cache[name]]

    return value


def _getter(serializer, field, model):
    if isinstance(field, serializers.SerializerMethodField):
        return getattr(serializer, field.method_name)
    if field.source == "*" or len(field.source_attrs) != 1 or model is None:
        return _generic(field)
    name = field.source_attrs[0]
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return _generic(field)
    if isinstance(field, serializers.ManyRelatedField):
        child = field.child_relation
        if (
            type(child) is serializers.PrimaryKeyRelatedField and child.pk_field is None
            and isinstance(model_field, ManyToManyField)  # a forward many-to-many (not a reverse relation)
        ):
            return _prefetched_ids(field, name)
        return _generic(field)
    if type(field) is serializers.PrimaryKeyRelatedField and field.pk_field is None:
        if getattr(model_field, "many_to_one", False) and model_field.concrete:
            return attrgetter(model_field.attname)
        return _generic(field)
    if model_field.is_relation or not model_field.concrete or isinstance(field, serializers.RelatedField):
        return _generic(field)
    descriptor = model.__dict__.get(name)
    if type(descriptor) is DeferredAttribute:
        if type(field) is serializers.DateTimeField and not hasattr(field, "timezone"):
            return _DateTimeColumn(field, name)
        return _plain(field, attrgetter(name))
    try:
        from modeltranslation.fields import TranslationFieldDescriptor
    except ImportError:  # pragma: no cover - modeltranslation is a dependency
        TranslationFieldDescriptor = ()
    if isinstance(descriptor, TranslationFieldDescriptor) and not model_field.get_internal_type().endswith("FileField"):
        return _translated(field, descriptor, model)
    return _generic(field)


class FastRowsMixin:
    # A read serializer whose rows are built from a plan (see the module's docstring). No docstring:
    # drf-spectacular would take it as the description of every serializer without one of its own.

    # False: DRF's own to_representation (the reference the tests compare with).
    fast_rows = True

    def to_representation(self, instance):
        if not self.fast_rows:
            return super().to_representation(instance)
        plan = self.__dict__.get("_fast_rows_plan")
        if plan is None:
            plan = self._fast_rows_plan = self._fast_rows_make_plan()
        ret = {}
        for name, get in plan:
            value = get(instance)
            if value is not _SKIP:
                ret[name] = value
        return ret

    def _fast_rows_make_plan(self):
        """This serializer's getters: from the plan kept for its class and language, else from its fields.

        Building a ModelSerializer's fields (a copy of the declared ones, every model field mapped,
        labels translated) costs as much as reading 50 rows, on every request. When every getter
        reads nothing of the serializer it came from (plain columns, translated texts, ids, DRF's
        own fields without a request, a nested list of fast rows), the getters are kept per class
        and language and only what is this serializer's is bound to it: the ``SerializerMethodField``
        methods, and a nested list's child serializer, made with this serializer's context.
        """
        from django.utils.translation import get_language

        cls = type(self)
        key = (cls, get_language())
        kept = _KEPT_PLANS.get(key)
        if kept is None:
            # Its fields are the same for every instance (no get_fields or __init__ of its own): the
            # plan kept is made from a serializer without a context, so it holds no request.
            same_fields = cls.get_fields is serializers.ModelSerializer.get_fields and cls.__init__ is serializers.BaseSerializer.__init__
            source = cls(context={}) if same_fields else self
            model = getattr(getattr(self, "Meta", None), "model", None)
            kept, shareable = [], same_fields
            for field in source._readable_fields:
                entry = _kept_entry(source, field, model)
                shareable = shareable and (entry[1] is None or isinstance(entry[2], _PerRequest) or _reads_nothing_of_its_serializer(field))
                kept.append(entry)
            if not shareable:
                if source is not self:  # built again from this serializer's own fields
                    kept = [_kept_entry(self, f, model) for f in self._readable_fields]
                return self._fast_rows_bind(kept)
            _KEPT_PLANS[key] = kept
        return self._fast_rows_bind(kept)

    def _fast_rows_bind(self, kept):
        plan = []
        for name, get, method in kept:
            if get is None:
                plan.append((name, getattr(self, method)))
            elif isinstance(method, _PerRequest):
                plan.append((name, method.bind(self)))
            else:
                plan.append((name, get))
        return plan


class _PerRequest:
    """A getter kept in a plan that is made for each serializer (``bind``): it reads something of the request."""

    def bind(self, serializer):
        raise NotImplementedError


class _DateTimeColumn(_PerRequest):
    """A datetime column as DRF's ``DateTimeField`` writes it in ISO 8601, the active time zone read once a request.

    DRF looks the time zone up for every value (~3 µs each: 150 a page of progress updates); an aware
    value is written with the same steps (``astimezone``, ``isoformat``, ``+00:00`` as ``Z``). A naive
    value, another format or an out-of-range one: the field's own method.
    """

    def __init__(self, field, name):
        self.field, self.get = field, attrgetter(name)

    def bind(self, serializer):
        from django.conf import settings
        from django.utils.timezone import get_current_timezone
        from rest_framework.settings import ISO_8601, api_settings

        field, get = self.field, self.get
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if not settings.USE_TZ or output_format is None or output_format.lower() != ISO_8601:
            return _plain(field, get)
        own, zone = field.to_representation, get_current_timezone()

        def value(instance):
            v = get(instance)
            if v is None:
                return None
            if type(v) is not _DATETIME or v.utcoffset() is None:
                return own(v)
            try:
                text = v.astimezone(zone).isoformat()
            except OverflowError:  # the field's own error
                return own(v)
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return value


class _Nested(_PerRequest):
    """A nested list of fast rows (``Child(many=True)``): the rows of a relation, each as the child gives it.

    The child serializer is made for each request with the parent's context (its methods may read the
    request), its plan kept like any other; the relation's rows are read from the prefetch when there is
    one (the manager's ``all()``, as DRF's ``ListSerializer`` reads them, otherwise).
    """

    def __init__(self, field):
        child = field.child
        self.child_class, self.args, self.kwargs = type(child), child._args, dict(child._kwargs)
        self.name = field.source_attrs[0]

    def bind(self, serializer):
        from django.db.models.manager import BaseManager

        child = self.child_class(*self.args, **{**self.kwargs, "context": serializer.context})
        name, row, plain = self.name, child.to_representation, prefetched_rows(self.name)

        def value(instance):
            d = instance.__dict__
            if plain in d:
                return [row(item) for item in d[plain]]
            cache = d.get("_prefetched_objects_cache")
            if cache is not None and name in cache:
                return [row(item) for item in cache[name]]
            data = getattr(instance, name)
            if data is None:
                return None
            return [row(item) for item in (data.all() if isinstance(data, BaseManager) else data)]

        return value


def _kept_entry(serializer, field, model):
    """(field name, getter or None, method name or a nested list's binder or None) for one readable field."""
    if isinstance(field, serializers.SerializerMethodField):
        return (field.field_name, None, field.method_name)
    if (
        type(field) is serializers.ListSerializer and isinstance(field.child, FastRowsMixin) and field.child.fast_rows
        and field.source != "*" and len(field.source_attrs) == 1 and "context" not in field.child._kwargs
    ):
        nested = _Nested(field)
        return (field.field_name, nested, nested)
    get = _getter(serializer, field, model)
    return (field.field_name, get, get if isinstance(get, _PerRequest) else None)


# (serializer class, language) -> [(field name, getter or None, method name or a getter made per request (_PerRequest) or None)]
_KEPT_PLANS: dict = {}

# DRF's fields whose value depends on nothing but the row (no request, no context, no nested serializer).
_ROW_ONLY_FIELDS = (
    serializers.BooleanField, serializers.CharField, serializers.ChoiceField, serializers.DateField,
    serializers.DateTimeField, serializers.DecimalField, serializers.FloatField, serializers.IntegerField,
    serializers.JSONField, serializers.ReadOnlyField, serializers.UUIDField, serializers.DictField,
)


def _reads_nothing_of_its_serializer(field) -> bool:
    if isinstance(field, serializers.ManyRelatedField):
        field = field.child_relation
    if type(field) is serializers.PrimaryKeyRelatedField:
        return field.pk_field is None
    if isinstance(field, serializers.ListField):
        return _reads_nothing_of_its_serializer(field.child)
    return type(field).__module__ == serializers.CharField.__module__ and isinstance(field, _ROW_ONLY_FIELDS) and not isinstance(
        field, serializers.BaseSerializer
    )


class ReversedUrl:
    """The absolute address of ``view_name`` with one argument, from one ``reverse()`` for all rows.

    ``url(argument)`` equals ``request.build_absolute_uri(reverse(view_name, args=[argument]))`` (so
    the language prefix of the active language, the script prefix and the host are the same): the
    path from :func:`ogp_portal.paths.path_of`, the scheme and host from the request once.
    """

    def __init__(self, request, view_name):
        self.request = request
        self.path = path_of(view_name)
        self.origin = request.build_absolute_uri("/")[:-1] if request else ""

    def __call__(self, argument) -> str:
        path = self.path(argument)
        if self.request is None:
            return path
        return f"{self.origin}{path}" if is_plain(argument) else self.request.build_absolute_uri(path)


def without_base_columns(queryset):
    """``queryset`` without the columns of its translated fields that no row shown reads.

    django-modeltranslation's descriptor reads a translated field from the columns of the active
    language's fallback order only (``en``; ``ru`` then ``en``; ``ky`` then ``en``): the base column
    (``title`` beside ``title_en``…) is never read, nor the columns of the other languages. A list of
    50 commitments in English is ~110 KB of its own language's text out of ~310 KB fetched with every
    language (issue #20: 3.7 → 1.3 ms to fetch and decode at scale 10). ``QuerySet.defer`` cannot say
    this (modeltranslation rewrites ``defer("title")`` into every language's column too), so the names
    go to the query itself. Only for reading, in the language active when the list is rendered (the
    queryset is made per request); a column read anyway is loaded by Django, as any deferred one.
    """
    from modeltranslation.translator import NotRegistered, translator
    from modeltranslation.settings import AVAILABLE_LANGUAGES
    from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

    try:
        names = list(translator.get_options_for_model(queryset.model).all_fields)
    except NotRegistered:
        return queryset
    model, language = queryset.model, get_language()
    deferred = list(names)
    for name in names:
        read = set(resolution_order(language, getattr(getattr(model, name, None), "fallback_languages", None)))
        deferred += [build_localized_fieldname(name, other) for other in AVAILABLE_LANGUAGES if other not in read]
    queryset = queryset.all()
    queryset.query.add_deferred_loading(deferred)
    return queryset


def read_rows(queryset):
    """``queryset`` whose rows are made as a list reads them: each model instance filled from its row directly.

    Django makes each row through ``Model.__init__`` (every field set one by one, deferred ones checked,
    django-modeltranslation's constructor, ``pre_init`` and ``post_init`` sent): about a fifth of a
    first render of 50 commitments. A list only reads its rows, so each instance is made as ``from_db``
    would leave it (the row's values in its ``__dict__``, the same ``_state``), without that walk. Only
    for a plain query of one model (no ``select_related``, annotations or known related objects), a
    model without a ``from_db`` or ``__init__`` signal receiver of its own (modeltranslation's, which
    removes a flag it sets while constructing, is the only one allowed): otherwise Django's own.
    ``tests/api/test_fast_rows.py`` compares every list with DRF's answer from Django's instances.
    """
    from django.db.models.query import ModelIterable

    if queryset._iterable_class is ModelIterable:
        queryset = queryset.all()
        queryset._iterable_class = _ReadRows
    return queryset


class ReadRowsMixin:
    """A viewset whose list of fast rows reads only the columns of its texts in the active language and its
    fallback (:func:`without_base_columns`), its instances made from the rows directly (:func:`read_rows`)."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and getattr(self.get_serializer_class(), "fast_rows", False):
            queryset = read_rows(without_base_columns(queryset))
        return queryset


def _plain_construction(model) -> bool:
    from django.db.models import Model
    from django.db.models.signals import post_init, pre_init

    known = _PLAIN_CONSTRUCTION.get(model)
    if known is None:
        try:
            from modeltranslation.translator import delete_mt_init
        except ImportError:  # pragma: no cover - modeltranslation is a dependency
            delete_mt_init = None
        sync, asynchronous = post_init._live_receivers(model)
        known = _PLAIN_CONSTRUCTION[model] = (
            model.from_db.__func__ is Model.from_db.__func__
            and not pre_init.has_listeners(model)
            and not asynchronous
            and all(receiver is delete_mt_init for receiver in sync)
        )
    return known


# model -> whether its instances may be made from a row directly (read_rows)
_PLAIN_CONSTRUCTION: dict = {}


def _read_rows_iterable():
    from django.db.models.base import ModelState
    from django.db.models.query import ModelIterable

    class ReadRows(ModelIterable):
        def __iter__(self):
            queryset = self.queryset
            query = queryset.query
            fetch_mode = queryset._fetch_mode
            if (
                query.select_related or query.annotation_select or queryset._known_related_objects
                or getattr(fetch_mode, "track_peers", False) or not _plain_construction(queryset.model)
            ):
                yield from super().__iter__()
                return
            db = queryset.db
            compiler = query.get_compiler(using=db)
            results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
            select, klass_info = compiler.select, compiler.klass_info
            model = klass_info["model"]
            if model is not queryset.model or compiler.annotation_col_map or klass_info.get("related_klass_infos"):
                raise AssertionError("read_rows: a plain query of one model was expected")  # pragma: no cover
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            names = [column[0].target.attname for column in select[start:end]]
            new = model.__new__
            for row in compiler.results_iter(results):
                obj = new(model)
                obj.__dict__.update(zip(names, row[start:end]))
                state = ModelState()
                state.adding = False
                state.db = db
                if fetch_mode is not None:
                    state.fetch_mode = fetch_mode
                obj._state = state
                yield obj

    return ReadRows


_ReadRows = _read_rows_iterable()
