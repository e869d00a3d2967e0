"""R11 Hostile uploads are refused, each within a second (the time is reported, not asserted: the
machine's load decides it), with a 4xx and a message, and nothing stored.

Plan imports (``/work/import/``) and evidence files (the progress form and the API), through HTTP.
"""

import io
import json
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apitokens.services import create_token
from commitments.models import ActionPlan, Commitment, Evidence, Milestone, ProgressUpdate, Role
from commitments.template_parser import LIMITS

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512


def _zip(entries, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return out.getvalue()


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10) for i in range(1, 10))
    + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
)
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'

IMPORTS = {
    "random bytes named .docx": ("plan.docx", bytes(range(256)) * 40),
    "zip bomb (50 MB of zeros) as .docx": ("plan.docx", _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"\x00" * (50 * 1024 * 1024)})),
    "zip inside a zip as .docx": ("plan.docx", _zip({"inner.zip": _zip({"word/document.xml": b"\x00" * (5 * 1024 * 1024)})})),
    "billion laughs in document.xml": ("plan.docx", _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": LAUGHS})),
    "external entity (XXE) in document.xml": ("plan.docx", _zip({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": XXE})),
    "Windows program named .docx": ("plan.docx", EXE),
    "old Word (OLE) file": ("plan.doc", OLE),
    "CSV that is not UTF-8": ("plan.csv", "Название;Обязательство\n".encode("cp1251") * 20),
    "CSV with DDE formula cells": ("plan.csv", b"identifier,title\nKG0001,\"=cmd|' /C calc'!A0\"\nKG0002,-1+cmd|' /C calc'!A0\n"),
    "CSV of 20,000 rows": ("plan.csv", b"identifier,title\n" + b"".join(b"KG%04d,Row %d\n" % (i % 9999, i) for i in range(20000))),
    "empty file": ("plan.docx", b""),
    "file over the size limit": ("plan.txt", b"a" * (LIMITS["max_bytes"] + 70 * 1024)),
    "path traversal in the name": ("../../../../etc/passwd.csv", b"root:x:0:0:root:/root:/bin/bash\n"),
}

EVIDENCE = {
    "Windows program named .pdf": ("report.pdf", EXE),
    "HTML page named .pdf": ("report.pdf", b"<!doctype html><html><script>alert(1)</script></html>"),
    "SVG with a script named .png": ("chart.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "PDF named .docx": ("minutes.docx", PDF),
    "PNG named .exe": ("image.exe", PNG),
    "empty file named .pdf": ("empty.pdf", b""),
    "file over EVIDENCE_MAX_BYTES": ("big.pdf", PDF + b"0" * (64 * 1024)),
    "zip named .pdf": ("report.pdf", _zip({"a.txt": b"x"})),
    "double extension .pdf.exe": ("report.pdf.exe", EXE),
}


def _timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def test_r11_hostile_uploads_are_refused(seed_data, admin_user, client, settings, tmp_path, django_user_model, record_property):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "imports")
    settings.EVIDENCE_MAX_BYTES = 64 * 1024
    times, wrong = {}, []

    # Plan imports, as an administrator.
    client.force_login(admin_user)
    # Warm up as a running server is: the first request loads the site, the first .docx loads python-docx (~1 s).
    assert client.get(reverse("commitments:import_upload")).status_code == 200
    import docx  # noqa: F401
    kg = ActionPlan.objects.filter(member__code="KG").first().member
    before = (Commitment.objects.count(), Milestone.objects.count(), Commitment.history.count())
    for label, (name, data) in IMPORTS.items():
        upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
        response, seconds = _timed(lambda: client.post(reverse("commitments:import_upload"), {"member": kg.pk, "file": upload}))
        times[f"import: {label}"] = seconds
        if not 400 <= response.status_code < 500:
            wrong.append((label, response.status_code))
    after = (Commitment.objects.count(), Milestone.objects.count(), Commitment.history.count())
    stored_imports = list((tmp_path / "imports").glob("*")) if (tmp_path / "imports").exists() else []

    # Evidence files, as the Accounts Chamber's coordinator: the HTML form and the API.
    milestone = Milestone.objects.select_related("commitment__lead_agency", "commitment__plan__member").get(
        commitment__identifier="KG0017", number="1.1"
    )
    coordinator = django_user_model.objects.create_user("ac-coordinator", "ac@example.org", "ac-pass-123")
    Role.objects.create(user=coordinator, member=milestone.commitment.plan.member, kind=Role.Kind.COORDINATOR,
                        agency=milestone.commitment.lead_agency)
    client.force_login(coordinator)
    url = reverse("commitments:progress", args=["KG0017", milestone.pk]) + "?period=2019-H1"
    assert client.get(url).status_code == 200
    form = {"period": "2019-H1", "completion": "limited", "narrative": "", "as_of": "2019-06-30", "version": 0, "action": "save"}
    assert client.post(url, form).status_code == 302  # a draft to attach evidence to
    update = ProgressUpdate.objects.get(milestone=milestone)
    _token, secret = create_token(coordinator, name="r11", scope="read_write", days=1, now=timezone.now())
    evidence_before = Evidence.objects.count()
    for label, (name, data) in EVIDENCE.items():
        update.refresh_from_db()
        upload = SimpleUploadedFile(name, data, content_type="application/pdf")
        response, seconds = _timed(lambda: client.post(url, {**form, "version": update.version, "evidence_file": upload}))
        times[f"evidence form: {label}"] = seconds
        if not 400 <= response.status_code < 500:
            wrong.append((f"form {label}", response.status_code))
        upload = SimpleUploadedFile(name, data, content_type="application/pdf")
        response, seconds = _timed(lambda: client.post(
            f"/api/v1/progress-updates/{update.pk}/evidence/", {"kind": "file", "file": upload},
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        ))
        times[f"evidence API: {label}"] = seconds
        if not 400 <= response.status_code < 500:
            wrong.append((f"API {label}", response.status_code, response.content[:200]))
    stored_files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()] if (tmp_path / "media").exists() else []

    slowest = max(times, key=times.get)
    figure = (f"{len(times) - len(wrong)} of {len(times)} hostile uploads refused with a 4xx; slowest refusal "
              f"{times[slowest]:.2f} s ({slowest}); {len(stored_files) + len(stored_imports)} files stored")
    record_property("R11", figure)
    print("\nR11", figure, json.dumps({k: round(v, 3) for k, v in sorted(times.items(), key=lambda kv: -kv[1])[:5]}))
    assert wrong == []
    assert after == before
    assert Evidence.objects.count() == evidence_before
    assert stored_files == [] and stored_imports == []
