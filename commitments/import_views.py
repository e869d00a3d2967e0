"""The plan import pages of the workspace: upload → preview → confirm, and the CSV export.

Between the preview and the confirmation the uploaded file is kept server-side, in a
private folder (``settings.IMPORT_UPLOAD_DIR``, mode 0700) under a random name; the
confirm form carries only a signed token naming it, the member and the user, valid for
an hour.  Confirming reads the file again and runs the same import with ``commit=True``.
"""

import logging
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from ogp_portal.compiled import compiled, one_or_404
from ogp_portal.permissions import importable_members

from .csv_io import export_plan_csv
from .importer import ImportRefused, problem_text, read_file, run_import
from .models import ActionPlan, Member
from .template_parser import LIMITS

logger = logging.getLogger(__name__)
TOKEN_SALT = "commitments.import"
TOKEN_MAX_AGE = 3600  # seconds between the preview and the confirmation
KEEP_FILES_FOR = 24 * 3600  # left-over uploads (previews never confirmed) are removed after a day


def upload_dir():
    folder = Path(getattr(settings, "IMPORT_UPLOAD_DIR", None) or Path(tempfile.gettempdir()) / "ogp-plan-imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sweep(folder, now):
    for path in folder.glob("*.upload"):
        try:
            if now - path.stat().st_mtime > KEEP_FILES_FOR:
                path.unlink()
        except OSError:
            pass


class ImportForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=Member.objects.none(), empty_label=None)
    file = forms.FileField(
        label=_("Action plan file"),
        help_text=_("A Word .docx or a .txt file in OGP's commitment template, or a .csv file exported from this portal."),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt,.csv"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = importable_members(user, Member.objects.order_by("name"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LIMITS["max_bytes"]:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB."), params={"limit": LIMITS["max_bytes"] // (1024 * 1024)}
            )
        return upload


def _too_large(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > LIMITS["max_bytes"] + 64 * 1024  # the file plus the form's other fields


def _allowed(request):
    """None if the user may import into some member, else the response to send."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("commitments.import_plan", None):
        raise PermissionDenied
    return None


def _preview_context(outcome, member, name):
    return {
        "outcome": outcome,
        "member": member,
        "file_name": name,
        "counts": outcome.counts(),
        "warnings": [problem_text(p) for p in outcome.problems],
    }


def _unexpected():
    return gettext("The file could not be imported because of an unexpected problem; nothing was saved. "
                   "The error was logged. Check the file against OGP's template and try again.")


def _run(request, member, parsed, **kwargs):
    """Run the import; an unexpected failure is logged and answered with a message (None), never a 500."""
    try:
        return run_import(member, parsed, user=request.user, **kwargs)
    except Exception:  # the transaction is rolled back: nothing was saved
        logger.exception("plan import failed for %s (%s)", member.code, parsed.source)
        return None


@require_http_methods(["GET", "POST"])
def upload(request):
    """Show the upload form; on POST read the file and show what importing it would change."""
    refused = _allowed(request)
    if refused:
        return refused
    if request.method == "POST" and _too_large(request):
        # Refuse before Django spools the upload to disk: the body is never read.
        form = ImportForm(user=request.user)
        error = gettext("The file is larger than %(limit)s MB.") % {"limit": LIMITS["max_bytes"] // (1024 * 1024)}
        return render(request, "commitments/import_upload.html", {"form": form, "error": error}, status=413)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        status = 400 if request.method == "POST" else 200
        return render(request, "commitments/import_upload.html", {"form": form}, status=status)
    member = form.cleaned_data["member"]
    upload_file = form.cleaned_data["file"]
    data = upload_file.read(LIMITS["max_bytes"] + 1)
    try:
        parsed = read_file(upload_file.name, data, member)
    except ImportRefused as error:
        form.add_error("file", error.message)
        return render(request, "commitments/import_upload.html", {"form": form}, status=400)
    outcome = _run(request, member, parsed, commit=False)
    if outcome is None:
        form.add_error("file", _unexpected())
        return render(request, "commitments/import_upload.html", {"form": form}, status=400)
    folder = upload_dir()
    _sweep(folder, time.time())
    stored = f"{secrets.token_hex(16)}.upload"
    (folder / stored).write_bytes(data)
    token = signing.dumps(
        {"file": stored, "member": member.code, "user": request.user.pk, "name": upload_file.name[:200]},
        salt=TOKEN_SALT,
    )
    context = _preview_context(outcome, member, upload_file.name)
    context["token"] = token
    return render(request, "commitments/import_preview.html", context, status=400 if outcome.errors else 200)


@require_POST
def confirm(request):
    """Import the file previewed a moment ago, in one transaction."""
    refused = _allowed(request)
    if refused:
        return refused
    try:
        ticket = signing.loads(request.POST.get("token", ""), salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return render(request, "commitments/import_upload.html", {
            "form": ImportForm(user=request.user),
            "error": gettext("The preview has expired or is not valid. Upload the file again."),
        }, status=400)
    if ticket.get("user") != request.user.pk:
        raise PermissionDenied
    member = get_object_or_404(Member, code=ticket["member"])
    if not request.user.has_perm("commitments.import_plan", member):
        raise PermissionDenied
    path = upload_dir() / Path(ticket["file"]).name
    if not path.is_file():
        return render(request, "commitments/import_upload.html", {
            "form": ImportForm(user=request.user),
            "error": gettext("The preview has expired or is not valid. Upload the file again."),
        }, status=400)
    try:
        parsed = read_file(ticket["name"], path.read_bytes(), member)
    except ImportRefused as error:  # the file was checked at upload; kept for safety
        return render(request, "commitments/import_upload.html",
                      {"form": ImportForm(user=request.user), "error": error.message}, status=400)
    # Values the file would blank and commitments it would move to a new agency: only those ticked.
    allow = request.POST.getlist("allow")[:10000]
    outcome = _run(request, member, parsed, commit=True, reason=f"Imported from {ticket['name']}", allow=allow)
    if outcome is None:
        return render(request, "commitments/import_upload.html",
                      {"form": ImportForm(user=request.user), "error": _unexpected()}, status=400)
    context = _preview_context(outcome, member, ticket["name"])
    if not outcome.committed:
        context["token"] = request.POST.get("token")
        return render(request, "commitments/import_preview.html", context, status=400)
    path.unlink(missing_ok=True)
    context["plan"] = ActionPlan.objects.filter(pk=outcome.plan_id).first()
    return render(request, "commitments/import_done.html", context)


def export_csv(request, pk):
    """Download an action plan as CSV: OGP's spreadsheet columns for commitments, plus activity and milestone rows."""
    # (compiled once per process: ogp_portal/compiled.py, issue #20)
    plan = one_or_404(compiled("plan-csv-plan", lambda pk: ActionPlan.objects.select_related("member").filter(pk=pk), pk=pk))
    response = HttpResponse(export_plan_csv(plan), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.member.code}-plan-{plan.pk}.csv"'
    return response
