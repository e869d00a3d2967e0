"""Open data: the compliance findings, a dataset of ``/data/`` beside the domain's (``commitments/exports.py``).

Registered at start-up (``ComplianceConfig.ready``) with ``commitments.exports.register_dataset``: the
export views and the "Open data" page serve and document it from these columns.
"""

from django.utils.translation import gettext_lazy as _

from commitments.exports import CHUNK_SIZE, Column, Dataset, _en, _iso

from .models import Finding

FINDING_COLUMNS = (
    Column("member", _("OGP code of the member."), lambda f: f.member.code),
    Column("kind", _("What was missed or found, such as missed_forum_meeting or contrary_to_process."), lambda f: f.kind),
    Column("subject", _("What the finding is about, such as forum:3; empty for the whole member."), lambda f: f.subject),
    Column("period", _("The period or cycle, such as 2022-Q2, 2022-H1 or 2021-2023."), lambda f: f.period),
    Column("effective_on", _("The day the finding took effect (YYYY-MM-DD)."), lambda f: _iso(f.effective_on)),
    Column("resolved_on", _("The day an administrator resolved it; empty otherwise."), lambda f: _iso(f.resolved_on)),
    Column("reason", _("Why, in English."), lambda f: _en(f, "reason")),
    Column("reference", _("The letter, report or decision behind it."), lambda f: f.reference),
    Column("met_again_on", _("The day the obligation was next met (the run of missed ones ended); it stays missed."),
           lambda f: _iso(f.met_again_on)),
    Column("withdrawn_on", _("The day the corrected data stopped supporting it; empty while it stands."),
           lambda f: _iso(f.withdrawn_on)),
)


def _finding_rows(params, today):
    qs = Finding.objects.select_related("member").order_by("member__code", "effective_on", "kind", "period", "pk")
    if params.get("member"):
        qs = qs.filter(member__code=params["member"])
    return qs.iterator(CHUNK_SIZE), None


DATASET = Dataset(
    "findings",
    _("Compliance findings"),
    _("One row a missed obligation or IRM finding recorded by the compliance sweep or an administrator."),
    FINDING_COLUMNS,
    _finding_rows,
)
FILTER_HINT = "?member=KG"


def register() -> None:
    """Add the findings to the open-data datasets (after the domain's commitments, milestones and progress updates)."""
    from commitments.exports import register_dataset

    register_dataset(DATASET, FILTER_HINT)
