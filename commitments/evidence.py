"""Evidence of a progress update: the files and web addresses attached to it, checked before anything is stored.

A file's type is read from its content and must match its name; its name loses control and format characters;
a link must be http or https. Evidence changes only while its update is a draft or returned. The HTML views and
the API call these (also through ``commitments.progress``, which re-exports them).
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from .models import Evidence
from .services import _require

# Accepted evidence: the type detected from the content, and the name endings allowed for it.
EVIDENCE_TYPES = {
    "application/pdf": {"pdf"},
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "application/msword": {"doc", "xls", "ppt"},  # one OLE signature for the three legacy formats
    "application/vnd.ms-excel": {"doc", "xls", "ppt"},
    "application/vnd.ms-powerpoint": {"doc", "xls", "ppt"},
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"docx"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"xlsx"},
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": {"pptx"},
    "application/vnd.oasis.opendocument.text": {"odt"},
    "application/vnd.oasis.opendocument.spreadsheet": {"ods"},
    "application/vnd.oasis.opendocument.presentation": {"odp"},
    "text/plain": {"txt"},
    "text/csv": {"csv"},
}
# Characters that make a file name a path (Django already drops "/" and "\" from uploaded names).
_PATH_CHARS = re.compile(r'[/\\:\x00-\x1f]')


def clean_file_name(name):
    """Return ``name`` without Unicode control and format characters (categories Cc and Cf).

    A right-to-left override (U+202E) makes ``invoice\u202efdp.exe`` read as ``invoiceexe.pdf``;
    zero-width and other invisible characters hide what a name is. Evidence keeps only the rest.
    """
    import unicodedata

    return "".join(ch for ch in (name or "") if unicodedata.category(ch) not in ("Cc", "Cf")).strip()


def detect_evidence_type(name, head):
    """Return the content type of an upload from its first bytes, checked against its name; raise ValidationError.

    The type comes from the content (``filetype``); plain text has no signature, so a file with
    none is accepted only as ``.txt`` / ``.csv`` and only if it is valid UTF-8 without NUL bytes.
    """
    import filetype
    from django.utils.translation import gettext as _

    if not name or _PATH_CHARS.search(name) or name.startswith(".") or ".." in name:
        raise ValidationError({"file": _("The file name must be a plain name, without a folder or path.")})
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = filetype.guess(head)
    if kind is not None:
        mime = kind.mime
    else:
        try:
            head.decode("utf-8")
            is_text = b"\x00" not in head
        except UnicodeDecodeError as error:
            # A multi-byte character may be cut at the end of the sample.
            is_text = error.start >= len(head) - 4 and b"\x00" not in head
        mime = ("text/csv" if extension == "csv" else "text/plain") if is_text else None
    if mime not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("This type of file is not accepted. Upload a PDF, an image, an office document or plain text.")})
    if extension not in EVIDENCE_TYPES[mime]:
        raise ValidationError({"file": _("The file's content does not match its name: it is not a .%(ext)s file.") % {"ext": extension or "?"}})
    return mime


def check_evidence_file(upload):
    """Return the content type of an upload if it is acceptable evidence; raise ValidationError otherwise.

    Checks the size against ``EVIDENCE_MAX_BYTES``, the name, and the type read from the content.
    Reads only the first bytes; stores nothing. Control and format characters are removed from
    the upload's name first (:func:`clean_file_name`), so what is stored is what is checked.
    """
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError({"file": _("The file is too large: at most %(max)s.") % {"max": filesizeformat(settings.EVIDENCE_MAX_BYTES)}})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.name = clean_file_name(upload.name)
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return detect_evidence_type(upload.name, head)


def add_evidence_file(update, upload, *, by):
    """Attach an uploaded file to ``update``; return the Evidence row.

    Refused (ValidationError, nothing stored): an update no longer editable, a file above
    ``EVIDENCE_MAX_BYTES``, a name with a path, a type not accepted or not matching its name.
    """
    from django.utils.translation import gettext as _

    _require(by, "commitments.enter_progress", update)
    if not update.is_editable:
        raise ValidationError(_("Evidence can be added only while the update is a draft or returned."))
    mime = check_evidence_file(upload)
    evidence = Evidence(
        update=update, kind=Evidence.Kind.FILE, original_name=upload.name[:255], content_type=mime, size=upload.size, uploaded_by=by
    )
    evidence._history_user = by
    with transaction.atomic():
        evidence.file.save(upload.name, upload, save=False)
        try:
            evidence.full_clean()
            evidence.save()
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def add_evidence_link(update, url, *, by):
    """Attach a web address (http or https) to ``update``; return the Evidence row."""
    from django.core.validators import URLValidator
    from django.utils.translation import gettext as _

    _require(by, "commitments.enter_progress", update)
    if not update.is_editable:
        raise ValidationError(_("Evidence can be added only while the update is a draft or returned."))
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("“%(link)s” is not a valid web address.") % {"link": url}}) from None
    evidence = Evidence(update=update, kind=Evidence.Kind.LINK, url=url, uploaded_by=by)
    evidence.full_clean()
    evidence._history_user = by
    evidence.save()
    return evidence


def remove_evidence(evidence, *, by):
    """Remove a piece of evidence (and its stored file) from an editable update."""
    from django.utils.translation import gettext as _

    update = evidence.update
    _require(by, "commitments.enter_progress", update)
    if not update.is_editable:
        raise ValidationError(_("Evidence can be removed only while the update is a draft or returned."))
    stored = evidence.file.name if evidence.file else None
    evidence._history_user = by
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: default_storage.delete(stored))

