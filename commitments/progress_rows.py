"""The progress workflow pages' parts written in Python: the progress form's period options and fields, the
review queue's articles, the plan's status reports table (issue #20: each the bytes its template loop wrote,
in every language; tests/commitments/test_progress_form_fields.py, test_status_report_rows.py and
tests/accounts/test_my_work.py compare them). The views that use them are in ``progress_views.py``.
"""

from html import escape as _escape  # (Django's ``escape`` of a text, without its lazy wrapper: the review queue's values)

from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaultfilters import filesizeformat
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import add_truncation_text
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from ogp_portal.compiled import among
from ogp_portal.paths import path_of

from .models import Evidence, ProgressUpdate


def period_options(periods, period) -> str:
    """The period picker's options, as the template's loop wrote them (the same bytes; issue #20)."""
    from commitments.timeline import date_label

    return mark_safe(  # noqa: S308 - every value escaped
        "".join(
            f'<option value="{_escape(str(p.label))}"{" selected" if p.label == period.label else ""}>'
            f"{_escape(str(p.label))} ({_escape(date_label(p.start))} – {_escape(date_label(p.end))})</option>"
            for p in periods
        )
    )


def form_fields(form, max_bytes) -> str:
    """The progress form's visible fields (label, widget, help, errors), as the template's loop wrote them.

    Issue #20: the loop's dozen nodes a field were most of the form's rendering. The same bytes in every
    language, bound or not (tests/commitments/test_progress_form_fields.py): each value escaped as
    ``{{ }}`` escapes it, the widget as Django renders it (``_KeptWidgetField``), the file's limit as
    ``{% blocktranslate %}`` writes it.
    """
    out = []
    for field in form.visible_fields():
        help_text = ""
        if field.help_text:
            limit = ""
            if field.name == "evidence_file":
                limit = " " + _("At most %(max)s.") % {"max": conditional_escape(filesizeformat(max_bytes))}
            help_text = f'<small id="{conditional_escape(field.auto_id)}_helptext">{conditional_escape(field.help_text)}{limit}</small>'
        errors = "".join(f'<small class="error" role="alert">{conditional_escape(error)}</small>' for error in field.errors)
        out.append(
            '\n    <div class="field">\n'
            f'      <label for="{conditional_escape(field.id_for_label)}">{conditional_escape(field.label)}</label>\n'
            f"      {conditional_escape(field)}\n"
            f"      {help_text}\n"
            f"      {errors}\n"
            "    </div>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above, the widgets are Django's


_kept_fields: dict = {}


def _forget_kept_fields(**kwargs) -> None:
    _kept_fields.clear()  # a test's changed settings (languages, limits, templates) render afresh


setting_changed.connect(_forget_kept_fields, dispatch_uid="commitments_progress_kept_fields")


def kept_form_fields(form, max_bytes) -> str:
    """:func:`form_fields` of an unbound form whose narrative is empty, kept per process, language and values.

    Issue #20: a new update's form (and an update's with no narrative) is a function of the language, the limit
    and the fields' starting values alone (the completion, the "as of" day, the version: nothing of the person),
    and those recur across people and requests. A bound form (typed values, errors) and a form with a person's
    narrative are written afresh each time. The same bytes (tests/commitments/test_progress_form_fields.py).
    """
    if form.is_bound:
        return form_fields(form, max_bytes)
    values = tuple((name, form[name].value()) for name in form.fields)
    if dict(values).get("narrative") not in (None, ""):
        return form_fields(form, max_bytes)
    key = (get_language(), max_bytes, form.auto_id, form.prefix, values)
    try:
        return _kept_fields[key]
    except KeyError:
        pass
    except TypeError:  # (a value that cannot be a key: written, not kept)
        return form_fields(form, max_bytes)
    html = form_fields(form, max_bytes)
    if len(_kept_fields) >= 256:
        _kept_fields.clear()
    _kept_fields[key] = html
    return html


# What the review queue reads of each update, its milestone, commitment and author (the deliverable's columns after them).
REVIEW_COLUMNS = (
    "pk", "version", "period_start", "period_end", "as_of", "completion", "narrative", "submitted_at",
    "milestone_id", "milestone__number", "milestone__commitment__identifier", "author_id", "author__username",
)


class ReviewedUpdate:
    """An update of the review queue as its article reads it: ``u.milestone.commitment.identifier``, ``u.author``
    (printed as Django's ``User.__str__``: the username), ``u.evidence.all`` … without the model instances.
    Equal to the ``ProgressUpdate`` it stands for (``update in queue``)."""

    def __init__(self, row, deliverable):
        from types import SimpleNamespace

        (self.pk, self.version, self.period_start, self.period_end, self.as_of, self.completion, self.narrative,
         self.submitted_at, milestone_id, number, identifier, author_id, username) = row
        self.id = self.pk
        commitment = SimpleNamespace(identifier=identifier, get_absolute_url=lambda: path_of("commitments:commitment")(identifier))
        self.milestone = SimpleNamespace(pk=milestone_id, id=milestone_id, number=number, deliverable=deliverable, commitment=commitment)
        self.author = None if author_id is None else _ReviewAuthor(author_id, username)
        self.evidence = _Items()

    def __eq__(self, other):
        if isinstance(other, (ReviewedUpdate, ProgressUpdate)):
            return self.pk == other.pk
        return NotImplemented

    def __hash__(self):
        return hash(self.pk)


def review_evidence(updates):
    return (
        Evidence.objects.filter(among('"commitments_evidence"."update_id"', updates))
        .order_by("update_id", "created_at", "pk")
        .values_list("update_id", "pk", "kind", "url", "original_name")
    )


class ReviewEvidence:
    """A piece of evidence as the review queue prints it: ``Evidence.__str__``, ``get_absolute_url`` and ``kind``."""

    __slots__ = ("pk", "id", "kind", "url", "original_name")

    def __init__(self, pk, kind, url, original_name):
        self.pk = self.id = pk
        self.kind, self.url, self.original_name = kind, url, original_name

    def __str__(self):  # as Evidence.__str__
        return self.url if self.kind == Evidence.Kind.LINK else self.original_name

    def get_absolute_url(self):  # as Evidence.get_absolute_url
        if self.kind == Evidence.Kind.LINK:
            return self.url
        return path_of("commitments:evidence")(self.pk)


class _ReviewAuthor:
    def __init__(self, pk, username):
        self.pk, self.id, self.username = pk, pk, username

    def __str__(self):  # as Django's AbstractBaseUser
        return self.username

    def get_username(self):
        return self.username


class _Items:
    """``update.evidence.all()`` of a plain row: its evidence, read by the view."""

    def __init__(self):
        self.items: list = []

    def all(self):
        return self.items


def _words(text, length, truncate) -> str:
    """``Truncator(text).words(length, truncate=truncate)`` without the lazy object (its attribute lookups were most of its cost)."""
    words = str(text).split()
    if len(words) > length:
        return add_truncation_text(" ".join(words[:length]), truncate)
    return " ".join(words)


def _lines(text) -> str:
    """``text|linebreaksbr`` (escaped, each line break a ``<br>``) without the filter's lazy and safe-string wrappers."""
    return _escape(str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def review_articles(updates, csrf_token) -> str:
    """Render the review queue's articles (one per update, with its approve and return form) in Python (issue #20).

    The same HTML as the template's loop wrote (tests/accounts/test_my_work.py compares them
    in every language): the labels translated once, the two addresses reversed once, every value
    escaped as the template escaped it. ``updates``: as the view prepared them (their labels and texts).
    """
    label = {
        key: escape(_(text))
        for key, text in (
            ("period", gettext_noop("Reporting period")), ("completion", gettext_noop("Completion")), ("as_of", gettext_noop("As of")), ("narrative", gettext_noop("Narrative")),
            ("submitted", gettext_noop("Submitted by")), ("evidence", gettext_noop("Evidence")), ("comment", gettext_noop("Comment (required to return)")),
            ("approve", gettext_noop("Approve and publish")), ("return", gettext_noop("Return with comment")),
        )
    }
    number = localize if settings.USE_THOUSAND_SEPARATOR else str
    commitment_path, review_path = path_of("commitments:commitment"), path_of("commitments:review_progress")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_escape(csrf_token)}">'
    parts = []
    for u in updates:
        commitment = u.milestone.commitment
        links = "; ".join(
            f'<a href="{_escape(item.get_absolute_url())}"{" rel=\"noopener noreferrer\"" if item.kind == "link" else ""}>'
            f"{_escape(str(item))}</a>"
            for item in (u.evidence_items if hasattr(u, "evidence_items") else u.evidence.all())
        ) or "—"
        submitted = date_format(template_localtime(u.submitted_at), "DATETIME_FORMAT") if u.submitted_at else ""
        pk = number(u.pk)
        parts.append(
            "\n<article>\n"
            "  <header>\n"
            f'    <h2><a href="{_escape(commitment_path(commitment.identifier))}">{_escape(commitment.identifier)}</a>,\n'
            f"      {_escape(u.milestone_label)}</h2>\n"
            f'    <p>{_escape(_words(u.milestone.deliverable, 25, " …"))}</p>\n'
            "  </header>\n"
            '  <dl class="facts">\n'
            f"    <dt>{label['period']}</dt><dd>{_escape(u.period_text)}</dd>\n"
            f"    <dt>{label['completion']}</dt><dd>{_escape(u.completion_label)}</dd>\n"
            f"    <dt>{label['as_of']}</dt><dd>{_escape(u.as_of_text)}</dd>\n"
            f"    <dt>{label['narrative']}</dt><dd>{_lines(u.narrative) or '—'}</dd>\n"
            f"    <dt>{label['submitted']}</dt><dd>{_escape(str(u.author)) if u.author else '—'}, {_escape(submitted)}</dd>\n"
            f"    <dt>{label['evidence']}</dt>\n"
            f"    <dd>{links}</dd>\n"
            "  </dl>\n"
            f'  <form method="post" action="{_escape(review_path(u.pk))}">\n'
            f"    {csrf}\n"
            f'    <input type="hidden" name="version" value="{number(u.version)}">\n'
            f'    <label for="comment-{pk}">{label["comment"]}</label>\n'
            f'    <textarea id="comment-{pk}" name="comment" rows="2"></textarea>\n'
            '    <div class="grid buttons">\n'
            f'      <button type="submit" name="action" value="approve">{label["approve"]}</button>\n'
            f'      <button type="submit" name="action" value="return" class="secondary">{label["return"]}</button>\n'
            "    </div>\n"
            "  </form>\n"
            "</article>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 (every value escaped above; linebreaksbr escapes its own)


def status_report_rows(periods, can_publish, csrf_token) -> str:
    """The table's rows (a period, its report's state, a link or the form that prepares it), as the template's loop
    wrote them: the labels translated once, each value escaped as ``{{ }}`` escapes it (issue #20; the same bytes in
    every language: tests/commitments/test_status_report_rows.py)."""
    from commitments.timeline import date_label

    l_period, l_state, l_report = _("Period"), pgettext("status", "State"), _("Report")
    if not periods:
        nothing = _("No status report has been published yet.")
        return mark_safe(f'\n  <tr><td colspan="3">{nothing}</td></tr>\n  ')  # noqa: S308 - our own text
    not_started = _("Not started")
    report_path = path_of("commitments:status_report")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_escape(csrf_token)}">'
    out = []
    for period, report in periods:
        label = _escape(str(period.label))
        if report:
            state = _escape(str(report.get_state_display()))
            if report.is_published:
                state += ", " + _escape(date_label(template_localtime(report.published_at).date()) if report.published_at else "")
            link = _("Status report %(label)s") % {"label": label}
            action = f'<a href="{_escape(report_path(report.pk))}">{link}</a>\n      '
        else:
            state = not_started
            action = ""
            if can_publish:
                prepare = _("Prepare the report for %(label)s") % {"label": label}
                action = (
                    f'\n      <form method="post">{csrf}<input type="hidden" name="period" value="{label}">\n'
                    f'        <button type="submit" class="outline">{prepare}</button></form>\n      '
                )
        out.append(
            "\n  <tr>\n"
            f'    <th scope="row" data-label="{l_period}">{label} ({_escape(date_label(period.start))} – {_escape(date_label(period.end))})</th>\n'
            f'    <td data-label="{l_state}">{state}</td>\n'
            f'    <td data-label="{l_report}">\n'
            f"      {action}\n"
            "    </td>\n"
            "  </tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above


def progress_panel(request, context) -> str:
    """The progress form's panel (``progress_entry.html#panel``) as its template wrote it, without a conflict.

    Issue #20: the panel's template (two dozen tags and filters, an include) was about half of the
    form page's rendering. The texts translated as its tags translate them, every value escaped as
    ``{{ }}`` escapes it, the CSRF token one per render as the template's; the history still through
    its own template. The same bytes in every language, for a new update, a draft with evidence, a
    submitted, a returned and a published one, with messages and errors
    (tests/commitments/test_progress_panel.py). A conflict (409) is rendered by the template.
    """
    from django.contrib.messages import get_messages
    from django.middleware.csrf import get_token
    from django.template.loader import get_template

    period, update, evidence, errors = context["period"], context["update"], context["evidence"], context["errors"]
    csrf_token = None

    def csrf():
        nonlocal csrf_token
        if csrf_token is None:
            csrf_token = get_token(request)
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_escape(csrf_token)}">'

    # As ``{% translate %}`` writes a literal's translation (not escaped); into variables first (xgettext reads no f-string).
    l_state, l_comment, l_none = pgettext("status", "State"), _("Comment of the point of contact"), _("No update for this period yet.")
    l_evidence, l_save, l_submit = _("Evidence"), _("Save draft"), _("Submit for review")
    l_completion, l_as_of, l_narrative, l_history = _("Completion"), _("As of"), _("Narrative"), _("History of this update")
    start, end = date_format(period.start, "DATE_FORMAT"), date_format(period.end, "DATE_FORMAT")
    heading = _("Period %(label)s (%(start)s – %(end)s)") % {
        "label": conditional_escape(localize(period.label)), "start": conditional_escape(start), "end": conditional_escape(end)
    }
    out = [f'\n<section id="progress-panel" aria-labelledby="progress-heading">\n  <h2 id="progress-heading">{heading}</h2>\n  ']
    stored = get_messages(request)  # (what the ``messages`` context processor gives: read, then marked as used)
    if stored:
        shown = "".join(
            f'<p class="message {conditional_escape(message.tags)}">{conditional_escape(message)}</p>' for message in stored
        )
        out.append(f'\n<div class="messages" role="status">\n  {shown}\n</div>\n')
    out.append("\n\n  ")
    if errors:
        shown = "".join(f"<p>{conditional_escape(error)}</p>" for error in errors)
        out.append(f'\n  <div class="form-errors" role="alert">\n    {shown}\n  </div>\n  ')
    out.append("\n  ")
    if update:
        submitted = ""
        if update.submitted_at and update.state == "submitted":
            submitted = "· " + conditional_escape(date_format(template_localtime(update.submitted_at), "DATETIME_FORMAT"))
        out.append(
            f'\n  <p class="state">{l_state}: <strong>{conditional_escape(update.get_state_display())}</strong>\n'
            f"    {submitted}</p>\n  "
        )
        if update.review_comment:
            by = f": {conditional_escape(update.reviewed_by)}" if update.reviewed_by else ""
            out.append(
                f"\n  <blockquote><p>{_lines(update.review_comment)}</p>\n"
                f'    <footer>{l_comment}{by}</footer></blockquote>\n  '
            )
        out.append("\n  ")
    else:
        out.append(f'\n  <p class="state">{l_none}</p>\n  ')
    out.append("\n\n  ")
    editable = update.is_editable if update else False
    if evidence:
        remove_path = path_of("commitments:evidence_remove")
        out.append(f'\n  <h3>{l_evidence}</h3>\n  <ul class="evidence">\n    ')
        for item in evidence:
            if item.kind == "link":
                shown = f'<a href="{conditional_escape(item.url)}" rel="noopener noreferrer">{conditional_escape(item.url)}</a>\n      '
            else:
                shown = (
                    f'<a href="{conditional_escape(item.get_absolute_url())}">{conditional_escape(item.original_name)}</a> '
                    f"({conditional_escape(filesizeformat(item.size))})"
                )
            remove = ""
            if editable:
                label = _("Remove %(name)s") % {"name": conditional_escape(localize(item))}
                remove = (
                    f'\n      <form method="post" action="{conditional_escape(remove_path(item.pk))}" class="inline-form">\n'
                    f"        {csrf()}\n"
                    f'        <button type="submit" class="secondary outline small">{label}</button>\n'
                    "      </form>\n      "
                )
            out.append(f"\n    <li>\n      {shown}\n      {remove}\n    </li>\n    ")
        out.append("\n  </ul>\n  ")
    out.append("\n\n  \n\n  ")
    if not update or editable:
        form = context["form"]
        out.append(
            "\n  \n"
            f'  <form method="post" enctype="multipart/form-data" hx-post="{conditional_escape(request.path)}" '
            'hx-target="#progress-panel" hx-swap="outerHTML" novalidate>\n'
            f"    {csrf()}\n"
            f'    <input type="hidden" name="period" value="{conditional_escape(localize(period.label))}">\n'
            f"    {conditional_escape(form['version'])}\n"
            f"    {context['form_fields']()}\n"
            '    <div class="grid buttons">\n'
            f'      <button type="submit" name="action" value="save" class="secondary">{l_save}</button>\n'
            f'      <button type="submit" name="action" value="submit">{l_submit}</button>\n'
            "    </div>\n"
            "  </form>\n  "
        )
    else:
        as_of = conditional_escape(date_format(update.as_of, "DATE_FORMAT")) if update.as_of else "—"
        out.append(
            "\n  \n"
            '  <dl class="facts">\n'
            f'    <dt>{l_completion}</dt><dd>{conditional_escape(update.get_completion_display())}</dd>\n'
            f'    <dt>{l_as_of}</dt><dd>{as_of}</dd>\n'
            f'    <dt>{l_narrative}</dt><dd>{_lines(update.narrative) or "—"}</dd>\n'
            "  </dl>\n  "
        )
    out.append("\n\n  ")
    history = context["history"]
    if history:
        entries = get_template("commitments/_history.html").render({"entries": history})
        out.append(f'\n  <details>\n    <summary>{l_history}</summary>\n    {entries}\n  </details>\n  ')
    out.append("\n</section>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value escaped above, the fields and history are Django's


def progress_heading(milestone, commitment) -> dict:
    """The progress form page's title, breadcrumb and heading parts, as its template's tags wrote them (issue #20):
    ``{% blocktranslate %}`` (the number localized and escaped, the translation as it is), the plan's and the
    commitment's addresses, the deliverable cut at 40 words as ``truncatewords`` cuts it (escaped by the template).
    The same bytes in every language (tests/commitments/test_progress_heading.py)."""
    from django.urls import reverse

    number = conditional_escape(localize(milestone.number))
    return {
        "title": mark_safe(_("Progress on milestone %(number)s") % {"number": number}),  # noqa: S308 - as blocktranslate
        "milestone": mark_safe(_("Milestone %(number)s") % {"number": number}),  # noqa: S308 - as blocktranslate
        "plan_url": reverse("commitments:plan", args=[commitment.plan_id]),
        "commitment_url": reverse("commitments:commitment", args=[commitment.identifier]),
        "deliverable": _words(milestone.deliverable, 40, " …"),
    }
