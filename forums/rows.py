"""The forum page's tables as HTML, one row per meeting or cadence period, built here rather than by template loops.

Issue #20: every first render of a forum page (the first visitor after a publication, every signed-in
visit that misses the shared parts) ran each row through a dozen template nodes: a reversal, date
filters, ``{% translate %}`` per cell. Here labels are translated once, paths reversed once
(:func:`ogp_portal.paths.path_of`), dates formatted as the ``day`` filter formats them, and every value
escaped as the template engine escapes it: byte for byte what the loops in
``templates/forums/forum_detail.html`` wrote (tests/forums/test_forum_rows.py compares them).

Also the page's lists as it reads them (its meetings, memberships and open action items), in queries
compiled once per process (``ogp_portal.compiled``; tests/test_compiled.py).
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.defaultfilters import date as date_filter
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation import gettext_noop

from commitments.templatetags.portal import day
from ogp_portal.compiled import compiled
from ogp_portal.paths import path_of
from ogp_portal.permissions import is_administrator, managed_forums, member_ids_with_role, visible_to

from .models import ActionItem, Forum, ForumMembership, Meeting
from .services import PeriodState

# What the forum page's table shows of an open action item, its meeting and its commitment (not their texts in three languages).
OPEN_ITEM_FIELDS = (
    "title", "owner", "due_on", "status", "meeting__forum_id", "meeting__starts_at", "commitment__identifier",
)


def _text(value) -> str:
    """``{{ value }}``: localized, then escaped unless already safe."""
    return conditional_escape(str(localize(value)))


def meeting_rows(forum, meetings) -> str:
    """The rows of the forum's table of meetings (latest first, as given)."""
    l_date, l_meeting, l_place, l_status, l_minutes, l_untitled, l_published, l_unpublished = (
        escape(_(text))
        for text in (gettext_noop("Date"), gettext_noop("Meeting"), gettext_noop("Place"), gettext_noop("Status"), gettext_noop("Minutes"), gettext_noop("Forum meeting"), gettext_noop("Published"), gettext_noop("Not published"))
    )
    meeting_path = path_of("forums:meeting", forum.pk)
    statuses = {}
    out = []
    for meeting in meetings:
        starts_at = template_localtime(meeting.starts_at)  # the filters' ``expects_localtime``
        if meeting.status not in statuses:
            statuses[meeting.status] = _text(meeting.get_status_display())
        if meeting.minutes_published_at:
            minutes = l_published
        elif meeting.status == "held":
            minutes = l_unpublished
        else:
            minutes = "—"
        out.append(
            "\n      <tr>"
            f'\n        <td data-label="{l_date}"><time datetime="{_text(date_filter(starts_at, "c"))}">{_text(day(starts_at))}</time></td>'
            f'\n        <th scope="row" data-label="{l_meeting}"><a href="{escape(meeting_path(meeting.pk))}">'
            f"{_text(meeting.title) if meeting.title else l_untitled}</a></th>"
            f'\n        <td data-label="{l_place}">{_text(meeting.place or "—")}</td>'
            f'\n        <td data-label="{l_status}">{statuses[meeting.status]}</td>'
            f'\n        <td data-label="{l_minutes}">{minutes}</td>'
            "\n      </tr>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def sector_lists(sectors) -> str:
    """The forum's members by sector (``composition.sectors``: value, label, people): a heading and a list per sector with people."""
    term = escape(_("Term"))
    roles = {}
    out = []
    for _value, sector, people in sectors:
        if not people:
            continue
        out.append(f"\n  <h3>{_text(sector)}</h3>\n  <ul>\n    ")
        for person in people:
            role = ""
            if person.role != "member":
                if person.role not in roles:
                    roles[person.role] = _text(person.get_role_display())
                role = f" — <strong>{roles[person.role]}</strong>"
            position = ""
            if person.position or person.organisation:
                comma = ", " if person.position and person.organisation else ""
                position = f"<br><small>{_text(person.position)}{comma}{_text(person.organisation)}</small>"
            dates = ""
            if person.term_start or person.term_end:
                start = _text(day(person.term_start) or "…")
                end = _text(day(person.term_end) or "…")
                dates = f'<br><span class="term">{term}: {start} – {end}</span>'
            out.append(f"\n    <li>\n      {_text(person.person)}{role}\n      {position}\n      {dates}\n    </li>\n    ")
        out.append("\n  </ul>\n  ")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def period_rows(periods) -> str:
    """The rows of the forum's meeting cadence: each period of the compliance policy, its dates and state."""
    l_period, l_dates, l_status = (escape(_(text)) for text in (gettext_noop("Period"), gettext_noop("Dates"), gettext_noop("Status")))
    out = []
    for p in periods:
        left = ""
        if p.state == PeriodState.AT_RISK:
            left = ngettext("(%(days)s day left)", "(%(days)s days left)", p.days_left) % {"days": _text(p.days_left)}
        out.append(
            "\n      <tr>"
            f'\n        <th scope="row" data-label="{l_period}">{_text(p.label)}</th>'
            f'\n        <td data-label="{l_dates}">{_text(day(p.period.start))} – {_text(day(p.period.end))}</td>'
            f'\n        <td data-label="{l_status}"><span class="state state-{_text(p.state)}">{_text(p.state_label)}</span>'
            f"\n          {left}</td>"
            "\n      </tr>\n      "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def _open_items_query(forum, user=None, secretariat=()):
    """The forum's open action items that ``user`` may see (``visible_to``): what the table shows of them.

    ``user``: an id, for a signed-in visitor who is not an administrator (the query's shape for every such
    visitor with the same ``secretariat``: the members whose forums they keep); None: an anonymous visitor.
    An administrator: :func:`open_items`.
    """
    reader = AnonymousUser() if user is None else _Reader(user, secretariat)
    return (
        visible_to(reader, ActionItem.objects.open().filter(meeting__forum=forum))
        .select_related("meeting", "commitment")
        .only(*OPEN_ITEM_FIELDS)
    )


class _Reader:
    """A signed-in visitor, not an administrator, with no role that widens what they read of a forum's record but
    the secretariat of ``secretariat`` (member ids): the query's shape."""

    is_authenticated = is_active = True
    is_staff = False

    def __init__(self, pk, secretariat=()):
        self.pk = pk
        self._ogp_roles_cache = [("secretariat", member, None) for member in secretariat]  # permissions._roles


def open_items(user, forum):
    """The open action items the visitor may see, in a query compiled once per process for most visitors.

    Building and compiling it through the ORM (``visible_to``'s minutes rule) cost 1.5-2.5 ms a visit
    (issue #20); an administrator or a secretariat, whose rule differs, gets it from the ORM as before.
    """
    if not user.is_authenticated:
        return compiled("forum-open-items", _open_items_query, forum=forum.pk)
    if is_administrator(user):
        return visible_to(user, ActionItem.objects.open().filter(meeting__forum=forum)).select_related(
            "meeting", "commitment"
        ).only(*OPEN_ITEM_FIELDS)
    secretariat = tuple(sorted(member_ids_with_role(user, "secretariat")))
    if secretariat:  # a secretariat's rule names the members whose forums they keep: in the shape's name
        return compiled(
            ("forum-open-items-secretariat", secretariat),
            lambda forum, user: _open_items_query(forum, user, secretariat),
            forum=forum.pk, user=user.pk,
        )
    return compiled("forum-open-items-signed-in", _open_items_query, forum=forum.pk, user=user.pk)


def forum_meetings(forum):
    return Meeting.objects.filter(forum=forum).defer("agenda", "minutes", "private_notes").order_by("-starts_at")


def forum_memberships(forum):
    return ForumMembership.objects.filter(forum=forum).order_by("role", "person")


def of_forum(forum, rows) -> list:
    """``rows`` of the forum, each with ``forum`` set (what ``forum.meetings`` or ``forum.memberships`` gives: no query for it)."""
    rows = list(rows)
    for row in rows:
        row.forum = forum
    return rows


def secretariat_sections(rows) -> str:
    """The secretariat's page, one section per forum kept (``forums.views.secretariat_home``'s rows), in Python.

    Issue #20: the template's loops (a reversal, a date filter and a translation tag per line) were half of a
    signed-in visit. The labels translated once, the addresses reversed once, the sentences as
    ``{% blocktranslate %}`` makes them (its values localized and escaped, the "due" sentences through
    ``single_stops``), every value escaped as the template escaped it: the bytes the template's loop wrote
    (tests/forums/test_secretariat_sections.py compares them in every language).
    """
    from ogp_portal.templatetags.sentences import single_stops

    if not rows:
        nothing = _("You keep no forum.")
        return mark_safe(f"\n<p>{nothing}</p>\n")  # noqa: S308 - our own text, as {% translate %} writes it
    # Not escaped: ``{% translate "…" %}`` of a literal writes the translation as it is (a safe literal's translation).
    l_risk, l_schedule, l_minutes, l_record, l_next, l_contacts, l_calendar = (
        _(text)
        for text in (
            gettext_noop("Meeting at risk:"), gettext_noop("Schedule a meeting"), gettext_noop("Minutes not yet published:"),
            gettext_noop("Attendance not recorded:"), gettext_noop("Next meeting:"), gettext_noop("Members' contacts"),
            gettext_noop("Calendar of deadlines, meetings and milestones (iCal)"),
        )
    )
    forum_path, new_path, contacts_path = path_of("forums:forum"), path_of("forums:meeting_new"), path_of("forums:contacts")
    calendar_path = path_of("forums:member_calendar")
    out = []
    for row in rows:
        forum = row["forum"]
        new_meeting = escape(new_path(forum.pk))
        out.append(
            f'\n<section aria-labelledby="forum-{_text(forum.pk)}">\n'
            f'  <h2 id="forum-{_text(forum.pk)}"><a href="{escape(forum_path(forum.pk))}">{_text(forum.name)}</a> '
            f"<small>({_text(forum.member.name)})</small></h2>\n  "
        )
        for p in row["at_risk"]:
            sentence = ngettext(
                "nothing is scheduled for %(period)s and %(days)s day is left.",
                "nothing is scheduled for %(period)s and %(days)s days are left.",
                p.days_left,
            ) % {"period": _text(p.label), "days": _text(p.days_left)}
            out.append(
                f'\n  <p class="warning"><strong>{l_risk}</strong>\n    {sentence}\n'
                f'    <a href="{new_meeting}">{l_schedule}</a></p>\n  '
            )
        out.append("\n  ")
        minutes_path = path_of("forums:minutes", forum.pk) if row["minutes_due"] else None
        for meeting, due, overdue in row["minutes_due"]:
            if overdue:
                text = _("they were due on %(due)s.") % {"due": _text(day(due))}
            else:
                text = _("due by %(due)s.") % {"due": _text(day(due))}
            out.append(
                f'\n  <p class="warning{" danger" if overdue else ""}"><strong>{l_minutes}</strong>\n'
                f'    <a href="{escape(minutes_path(meeting.pk))}">{_text(meeting.display_title())}</a> '
                f"({_text(day(template_localtime(meeting.starts_at)))}) —\n"
                f"    {single_stops(text)}{chr(10) + '    ' if overdue else ''}</p>\n  "
            )
        out.append("\n  ")
        record_path = path_of("forums:record", forum.pk) if row["to_record"] else None
        for meeting in row["to_record"]:
            out.append(
                f'\n  <p class="warning"><strong>{l_record}</strong>\n'
                f'    <a href="{escape(record_path(meeting.pk))}">{_text(meeting.display_title())}</a> '
                f"({_text(day(template_localtime(meeting.starts_at)))})</p>\n  "
            )
        items = ngettext("%(n)s open action item", "%(n)s open action items", row["open_items"]) % {"n": _text(row["open_items"])}
        out.append(f"\n  <ul>\n    <li>{items}</li>\n    ")
        meeting_path = path_of("forums:meeting", forum.pk) if row["upcoming"] else None
        for meeting in row["upcoming"]:
            out.append(
                f'<li>{l_next} <a href="{escape(meeting_path(meeting.pk))}">'
                f'{_text(date_filter(template_localtime(meeting.starts_at), "DATETIME_FORMAT"))}</a></li>'
            )
        out.append(
            "\n  </ul>\n"
            '  <p class="actions-bar">\n'
            f'    <a role="button" href="{new_meeting}">{l_schedule}</a>\n'
            f'    <a href="{escape(contacts_path(forum.pk))}">{l_contacts}</a>\n'
            f'    <a href="{escape(calendar_path(forum.member.code))}">{l_calendar}</a>\n'
            "  </p>\n"
            "</section>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def secretariat_forums(user):
    """The forums ``user`` keeps (``managed_forums``), each with its number of open action items (``open_items``), in
    one query compiled once per process and scope (issue #20)."""
    scope = (is_administrator(user), tuple(sorted(member_ids_with_role(user, "secretariat"))))
    return list(compiled(("secretariat-forums", scope), lambda: _secretariat_forums_query(user)))


def _secretariat_forums_query(user):
    # Built only when its shape is compiled (once per process and scope), not on every visit (issue #20).
    open_items = (
        ActionItem.objects.open().filter(meeting__forum=OuterRef("pk"))
        .order_by().values("meeting__forum").annotate(n=Count("pk")).values("n")
    )
    return (
        managed_forums(user, Forum.objects.select_related("member"))
        .only(*SECRETARIAT_FORUM_FIELDS)
        .annotate(open_items=Coalesce(Subquery(open_items), 0))
    )


# What the secretariat's page reads of a forum and its member: the section's heading and links, the cadence (its
# founding day, the member's policies by kind), the minutes' deadline. Not their texts in every language (~3 KB a
# row, a converter per column; issue #20).
SECRETARIAT_FORUM_FIELDS = (
    "name", "member_id", "founded_on", "minutes_due_days", "member__name", "member__code", "member__kind",
)


def secretariat_meetings(forums):
    # What the page reads of a meeting (not its agenda, minutes or notes: kilobytes each), latest first.
    return Meeting.objects.filter(forum__in=forums).defer("agenda", "minutes", "private_notes").order_by("-starts_at")


def open_items_section(items, *, forum_pk, can_manage, today, csrf_token="", path="") -> str:
    """The forum page's "Open action items" section (nothing when ``items`` is empty), written here rather than by
    the template's loop (issue #20: a translation tag per cell, two reversals and a CSRF tag per row were most of a
    secretariat's visit), byte for byte what ``forum_detail.html`` wrote (tests/forums/test_open_items_section.py).

    ``items``: the open action items the visitor may see (:func:`open_items`); ``can_manage``: the secretariat's
    "Mark done" forms, each with ``csrf_token`` and ``path`` (the page's, to come back to).
    """
    items = list(items)
    if not items:
        return ""
    # Not escaped: ``{% translate "…" %}`` of a literal writes the translation as it is (a safe literal's translation).
    l_action, l_owner, l_due, l_meeting, l_close, l_overdue, l_done = (
        _(text)
        for text in (
            gettext_noop("Action"), gettext_noop("Owner"), gettext_noop("Due on"), gettext_noop("Meeting"),
            gettext_noop("Close"), gettext_noop("Overdue"), gettext_noop("Mark done"),
        )
    )
    heading, caption = _("Open action items"), _("Action items agreed at meetings and not yet closed")
    close_head = f'<th scope="col">{l_close}</th>' if can_manage else ""
    out = [
        '\n<section aria-labelledby="actions-heading">\n'
        f'  <h2 id="actions-heading">{heading}</h2>\n'
        '  <table class="stack">\n'
        f'    <caption class="visually-hidden">{caption}</caption>\n'
        f'    <thead><tr><th scope="col">{l_action}</th><th scope="col">{l_owner}</th><th scope="col">{l_due}</th>'
        f'<th scope="col">{l_meeting}</th>{close_head}</tr></thead>\n'
        "    <tbody>\n      "
    ]
    commitment_path = path_of("commitments:commitment")
    meeting_path = path_of("forums:meeting", forum_pk)
    status_path = path_of("forums:action_status", forum_pk) if can_manage else None
    token, back = escape(csrf_token), escape(path)
    for item in items:
        title = _text(item.title)
        commitment = item.commitment
        linked = ""
        if commitment:
            linked = f'<br><small><a href="{escape(commitment_path(commitment.identifier))}">{_text(commitment.identifier)}</a></small>'
        if item.due_on:
            due = _text(day(item.due_on))
            if item.due_on < today:
                due += f' <span class="state state-missed">{l_overdue}</span>'
        else:
            due = "—"
        meeting = item.meeting
        close = ""
        if can_manage:
            close = (
                f'<td data-label="{l_close}">\n'
                f'          <form method="post" action="{escape(status_path(item.pk))}" class="inline-form">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">\n'
                f'            <input type="hidden" name="next" value="{back}">\n'
                f'            <button type="submit" name="status" value="done" class="outline">{l_done}'
                f'<span class="visually-hidden">: {title}</span></button>\n'
                "          </form></td>"
            )
        out.append(
            "\n      <tr>"
            f'\n        <th scope="row" data-label="{l_action}">{title}{linked}</th>'
            f'\n        <td data-label="{l_owner}">{_text(item.owner)}</td>'
            f'\n        <td data-label="{l_due}">{due}</td>'
            f'\n        <td data-label="{l_meeting}"><a href="{escape(meeting_path(meeting.pk))}">'
            f"{_text(day(template_localtime(meeting.starts_at)))}</a></td>"
            f"\n        {close}"
            "\n      </tr>\n      "
        )
    out.append("\n    </tbody>\n  </table>\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above
