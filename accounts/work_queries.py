"""What "My work" reads (issue #20): its own queries compiled once per process and shape and run from the cursor,
each row a plain object with the models' attribute names (roles, plans, the page's commitments, their milestones and
updates, the review queue), not model instances. ``accounts.work_views`` writes the page from them."""

from collections import namedtuple

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Window

from commitments import workload
from commitments.models import ActionPlan, Agency, Commitment, Completion, Member, Milestone, ProgressUpdate, Role, period_end
from ogp_portal import permissions
from ogp_portal.compiled import rows as compiled_rows
from ogp_portal.paths import path_of
from ogp_portal.translated import translated_columns as _translated_columns

# The first updates of the review queue "My work" shows, with the count of all and a link on.
QUEUE_SHOWN = 10

# "My work"'s own queries are compiled once per process and shape (``ogp_portal.compiled``; issue #20: building and
# compiling their querysets cost ~2.5 ms a page, the queries themselves well under a millisecond each). A shape is
# everything the SQL depends on besides the values it is run with: the query, the language (the translated columns
# and the ordering by the member's name in it), the database, and the person's scope (``_scope_key``) or the values
# it names; ``ogp_portal.compiled`` keeps a bounded number of them.


def _scope_key(user) -> tuple:
    """What the SQL of ``permissions.editable_by`` and ``reviewable_by`` depends on for ``user`` (``permissions._write_q``):
    whether they are an active administrator, the members they are the point of contact of, the agencies they coordinate."""
    return (
        bool(user.is_active),
        permissions.is_administrator(user),
        tuple(sorted(permissions.member_ids_with_role(user, Role.Kind.POINT_OF_CONTACT))),
        tuple(sorted(permissions.coordinated_agency_ids(user))),
    )


def _review_queue(user):
    """Return the updates waiting for the user's review: the one review scope, ``permissions.reviewable_by``."""
    return permissions.reviewable_by(user, ProgressUpdate.objects.all()).order_by("updated_at", "pk")


def _queue_and_count(user):
    """The first ``QUEUE_SHOWN`` updates waiting for the user's review and the number of all, in one query.

    The number is a window count over the whole queue (taken before the LIMIT; none waiting, none
    counted): a point of contact's queue is one member's. An administrator's is the whole portal's
    (tens of thousands at scale 10), where the window would read every row: counted on its own.
    Each update as a plain row (``_QueuedUpdate``) with what the review table prints, not five model
    instances through ``select_related`` (issue #20); the texts in the language shown.
    """
    deliverable = _translated_columns(Milestone, "deliverable")
    member_name = _translated_columns(Member, "name")
    columns = (
        "pk", "period_start", "period_end", "completion", "updated_at", "milestone__number",
        "milestone__commitment__identifier", "author_id", "author__username", "author__first_name", "author__last_name",
        *(f"milestone__{name}" for name in deliverable.columns),
        *(f"milestone__commitment__plan__member__{name}" for name in member_name.columns),
    )
    queue = None
    if permissions.is_administrator(user):
        queue = _review_queue(user)
        rows, count = list(queue.values_list(*columns)[:QUEUE_SHOWN]), None
    else:
        rows = compiled_rows(  # (its SQL once per scope: ``ogp_portal.compiled``; the queryset built only then)
            ("work-queue", _scope_key(user)),
            lambda: _review_queue(user).annotate(waiting=Window(Count("pk"))).values_list(*columns, "waiting")[:QUEUE_SHOWN],
        )
        count = rows[0][-1] if rows else 0
    texts = len(columns) - len(deliverable.columns) - len(member_name.columns)
    split = texts + len(deliverable.columns)
    shown = [_QueuedUpdate(row[:texts], deliverable(row[texts:split]), member_name(row[split:len(columns)])) for row in rows]
    return shown, (queue.count() if count is None else count)


class _QueuedUpdate:
    """An update waiting for review as the review table reads it: ``update.milestone.commitment.plan.member.name``,
    ``update.author.get_full_name`` and the rest, without the model instances (``_queue_and_count``)."""

    def __init__(self, row, deliverable, member_name):
        from types import SimpleNamespace

        (self.pk, self.period_start, self.period_end, self.completion, self.updated_at, number, identifier,
         author_id, username, first_name, last_name) = row
        self.id = self.pk
        commitment = _QueuedCommitment(identifier, SimpleNamespace(member=SimpleNamespace(name=member_name)))
        self.milestone = SimpleNamespace(number=number, deliverable=deliverable, commitment=commitment)
        self.author = _QueuedAuthor(author_id, username, first_name, last_name) if author_id is not None else None

    def get_completion_display(self):
        return dict(Completion.choices).get(self.completion, self.completion)


class _QueuedCommitment:
    def __init__(self, identifier, plan):
        self.identifier, self.plan = identifier, plan

    def get_absolute_url(self):
        return path_of("commitments:commitment")(self.identifier)


class _QueuedAuthor:
    def __init__(self, pk, username, first_name, last_name):
        self.pk, self.username, self.first_name, self.last_name = pk, username, first_name, last_name

    def get_full_name(self):  # as Django's AbstractUser
        return f"{self.first_name} {self.last_name}".strip()

    def get_username(self):
        return self.username


def _page_commitments(scope, ordered, first, size, plans):
    """The ``size`` commitments of the page shown from the ``first`` (``ordered()``: the person's, in the page's order,
    ``scope``: the person's ``_scope_key``) as plain rows.

    Each as a ``_WorkCommitment`` (what the table prints of it; the model instances and their lead agencies
    cost twice the query itself); their milestones and updates are :func:`_workload`'s one query. Not one
    statement with them: read with their milestones and updates (commit 89038e3, a LIMITed subquery, then
    LEFT JOINs), the page was no faster in two alternating runs of 60 renders each at scale 10 (coordinator
    15.8 / 15.6 ms, point of contact 28.1 / 28.3 ms median; the quickest quarter 2-4 ms slower joined), its
    SQL wider and sorted on seven keys. The texts in the language shown, as django-modeltranslation answers them.
    """
    title, agency = _translated_columns(Commitment, "title"), _translated_columns(Agency, "name")
    rows = compiled_rows(("work-page", scope, first, size), lambda: ordered().rewrite(False).values_list(
        # (the columns named in the language's order; the ordering already rewritten)
        "pk", "plan_id", "number", "identifier", "lead_agency_id", "lead_agency__acronym",
        *title.columns, *(f"lead_agency__{name}" for name in agency.columns),
    )[first:first + size])
    split = 6 + len(title.columns)
    return [_WorkCommitment(row[:6], title(row[6:split]), agency(row[split:]), plans[row[1]]) for row in rows]


# What "My work" reads of each milestone (``_workload``), the deliverable's columns after them.
_MILESTONE_COLUMNS = ("id", "commitment_id", "number", "start_date", "start_precision", "end_date", "end_precision")


def _workload(commitments, plans, periods, reportable, today, *, instances=True):
    """Return the workload (``workload.workload``) of ``commitments``, their milestones and updates read in one query.

    Only what the statuses and the "latest update" column read (not the narratives), as plain rows
    (``_Milestone``, ``_Update``) rather than model instances: a page's hundreds of rows cost a few
    tuples each. Every update of a commitment the user may edit is visible to them
    (``permissions.visible_to``: the write scope of updates is the write scope of their commitments),
    so the updates are read by milestone alone: the visibility filter joined each update up to its
    member, and at scale 10 PostgreSQL ran that as a parallel plan costing 36 ms where this index
    scan costs about 2 ms (issue #20). Each milestone's latest update is a ``ProgressUpdate`` (its other
    fields read if asked for), or, with ``instances=False`` (the page's table, which prints its completion
    and state), the plain row.
    """
    commitments = list(commitments)
    milestones: dict = {}
    updates: dict = {}
    by_pk = {c.pk: c for c in commitments}
    if commitments:
        # Each commitment's milestones in their usual order, by id (Meta orders by commitment first, which
        # joined every milestone up to its member and hashed all 3,000 members), each with its updates
        # (latest period first; none: one row of NULLs), in one query grouped here (issue #20: the
        # prefetch machinery, then a second query, cost more than the rows). The deliverable in the
        # language shown, as django-modeltranslation answers it.
        deliverable = _translated_columns(Milestone, "deliverable")
        columns = (*_MILESTONE_COLUMNS, *deliverable.columns)
        first_update = len(columns)
        def milestones_of(pks):
            return (
                Milestone.objects.filter(commitment_id__in=pks)
                .order_by("id", "-progress_updates__period_end", "-progress_updates__updated_at")
                .rewrite(False)  # (as ``_page_commitments``: the columns below named in the language's order)
                .values_list(*columns, *(f"progress_updates__{name}" for name in _UPDATE_COLUMNS))
            )

        if instances:
            rows = milestones_of(list(by_pk))
        else:  # the page's: its SQL compiled once per number of commitments (``ogp_portal.compiled``)
            rows = compiled_rows("work-milestones", milestones_of, pks=list(by_pk))
        milestone = None
        for row in rows:
            if milestone is None or milestone.pk != row[0]:
                milestone = _Milestone(*row[:7], deliverable(row[7:first_update]), by_pk[row[1]])
                milestones.setdefault(milestone.commitment_id, []).append(milestone)
            if row[first_update] is not None:
                updates.setdefault(milestone.pk, []).append(_Update(*row[first_update:]))
    if not instances:  # (a model instance reads its plan when asked for)
        for commitment in commitments:
            commitment.plan = plans[commitment.plan_id]
    work = workload.workload(
        commitments, lambda m: updates.get(m.pk, ()), today, lambda c: periods[c.plan_id], lambda c: milestones.get(c.pk, ())
    )
    for item in work:
        item.reportable = item.commitment.plan_id in reportable
        if instances:
            for row in item.milestones:
                if row.latest is not None:
                    row.latest = ProgressUpdate.from_db(DEFAULT_DB_ALIAS, _UPDATE_COLUMNS, row.latest)
    return work


def _work_plans(scope, plans) -> dict:
    """``{pk: plan}`` of the queryset ``plans()`` (of the person's ``scope``) as "My work" reads them, one query: each plan's member (its kind
    for the compliance policy, its name), title (the ended plans' sentence), first and last days; plain
    objects with the models' attribute names, the texts in the language shown."""
    from types import SimpleNamespace

    title, name = _translated_columns(ActionPlan, "title"), _translated_columns(Member, "name")
    rows = compiled_rows(("work-plans", scope), lambda: plans().rewrite(False).values_list(  # (the columns named: as ``_page_commitments``)
        "pk", "member_id", "start_date", "end_date", "member__kind", *title.columns, *(f"member__{column}" for column in name.columns)
    ))
    split = 5 + len(title.columns)
    members: dict = {}
    result = {}
    for row in rows:
        pk, member_id, start_date, end_date, kind = row[:5]
        if member_id not in members:
            members[member_id] = SimpleNamespace(pk=member_id, id=member_id, kind=kind, name=name(row[split:]))
        result[pk] = SimpleNamespace(
            pk=pk, id=pk, member_id=member_id, member=members[member_id], start_date=start_date, end_date=end_date, title=title(row[5:split])
        )
    return result


def _work_roles(user) -> list:
    """The user's roles as "Your roles" lists them (by member name, then kind), one query of plain rows (``_WorkRole``):
    the kind, the member's name and address, the agency as ``Agency.__str__`` writes it; not the members' and
    agencies' every column in every language as model instances (issue #20). The texts in the language shown."""
    member_name, agency_name = _translated_columns(Member, "name"), _translated_columns(Agency, "name")
    rows = compiled_rows("work-roles", lambda user: (
        Role.objects.filter(user=user).order_by("member__name", "kind")
        .values_list("kind", "member_id", "agency_id", "member__code", "agency__acronym",
                     *(f"member__{name}" for name in member_name.columns), *(f"agency__{name}" for name in agency_name.columns))
    ), user=user.pk)
    split = 5 + len(member_name.columns)
    kinds = dict(Role.Kind.choices)
    return [_WorkRole(row[:5], member_name(row[5:split]), agency_name(row[split:]), kinds) for row in rows]


class _WorkRole:
    """A role of "My work"'s list: ``role.get_kind_display``, ``role.member.name`` and ``get_absolute_url``, ``role.agency``."""

    def __init__(self, row, member_name, agency_name, kinds):
        from types import SimpleNamespace

        self.kind, self.member_id, self.agency_id, code, acronym = row
        self._kind_label = kinds.get(self.kind, self.kind)
        self.member = SimpleNamespace(pk=self.member_id, id=self.member_id, code=code, name=member_name,
                                      get_absolute_url=lambda: path_of("commitments:member")(code))
        # As ``Agency.__str__`` writes it.
        self.agency = None if self.agency_id is None else (f"{agency_name} ({acronym})" if acronym else agency_name)

    def get_kind_display(self):
        return str(self._kind_label)


class _WorkCommitment:
    """A commitment of "My work"'s page as its table reads it: identifier, title, lead agency, plan (and member)."""

    def __init__(self, row, title, agency_name, plan):
        self.pk, self.plan_id, self.number, self.identifier, self.lead_agency_id, acronym = row
        self.id, self.title, self.plan = self.pk, title, plan
        # As ``Agency.__str__`` writes it.
        self.lead_agency = None if self.lead_agency_id is None else (f"{agency_name} ({acronym})" if acronym else agency_name)

    def get_absolute_url(self):
        return path_of("commitments:commitment")(self.identifier)


class _Milestone:
    """A milestone as "My work" reads it (``_workload``): its id, number, dates, deliverable and commitment."""

    __slots__ = ("pk", "commitment_id", "number", "start_date", "start_precision", "end_date", "end_precision", "deliverable", "commitment")

    def __init__(self, pk, commitment_id, number, start_date, start_precision, end_date, end_precision, deliverable, commitment):
        self.pk, self.commitment_id, self.number = pk, commitment_id, number
        self.start_date, self.start_precision, self.end_date, self.end_precision = start_date, start_precision, end_date, end_precision
        self.deliverable, self.commitment = deliverable, commitment

    @property
    def id(self):
        return self.pk

    def __int__(self):  # in a query, as a model instance would be: its id (``filter(milestone=row.milestone)``)
        return self.pk

    @property
    def ends_on(self):
        """The last day the milestone's end stands for (``Milestone.ends_on``)."""
        return period_end(self.end_date, self.end_precision)


# What "My work" reads of each progress update (``workload`` reads the periods, the change and the completion),
# in the model's column order (``ProgressUpdate.from_db``).
_UPDATE_COLUMNS = [
    field.attname for field in ProgressUpdate._meta.concrete_fields
    if field.attname in {"id", "milestone_id", "period_start", "period_end", "updated_at", "completion", "state", "author_id"}
]
_Update = namedtuple("_Update", _UPDATE_COLUMNS)
