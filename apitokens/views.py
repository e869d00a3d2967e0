"""Pages around the REST API: the token page, the documentation, Swagger UI and ReDoc."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from ogp_portal.compiled import compiled

from .forms import TokenForm
from .models import ApiToken
from .services import create_token, revoke_token


def _tokens_of(user):
    return ApiToken.objects.filter(user=user)


# The unbound form's HTML per language: the same for every reader (no value, no error), rendered once per process.
_BLANK_FORM_HTML: dict = {}


def _blank_form_html(form):
    """``form.as_div`` of the unbound token form, kept per language (its widgets and labels cost ~1-2 ms a render)."""
    language = translation.get_language()
    html = _BLANK_FORM_HTML.get(language)
    if html is None:
        html = _BLANK_FORM_HTML[language] = form.as_div()
    return html


@never_cache
@login_required
def token_list(request):
    """List the user's tokens and create one; a new token's secret is shown once, then forgotten.

    The secret is shown in the answer to the create request itself (never cached) and stored
    nowhere: not in the database (only its digest), not in the session, not in a cookie.
    """
    form = TokenForm(request.POST or None)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = create_token(request.user, now=timezone.now(), **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            new = {"id": token.pk, "secret": secret}
            form = TokenForm()
    # The reader's tokens, in a query compiled once per process (ogp_portal/compiled.py).
    tokens = list(compiled("api-tokens-of-user", _tokens_of, user=request.user.pk))
    now = timezone.now()
    for token in tokens:
        token.usable = token.is_usable(now)
    context = {"form": form, "tokens": tokens, "new_secret": new and new["secret"], "new_id": new and new["id"]}
    if not form.is_bound:
        context["form_html"] = _blank_form_html(form)
    return render(request, "apitokens/token_list.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_token(token, by=request.user, now=timezone.now())
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("apitokens:tokens")


def docs(request):
    """Render the API guide for people: what is there, how to sign requests, curl examples."""
    return render(request, "apitokens/docs.html", {"site_url": settings.SITE_URL.rstrip("/")})


@never_cache
def swagger_ui(request):
    """Render Swagger UI from drf-spectacular-sidecar's files under the site's strict CSP, unchanged."""
    return render(request, "apitokens/swagger_ui.html")


# ReDoc puts its styles in <style> elements: styled-components' carry the nonce we hand to
# Redoc.init; the bundled perfect-scrollbar sheet is inserted before that, so it is allowed by
# its hash (and an empty sheet's). Upgrading drf-spectacular-sidecar may change the hash:
# tests/api/test_browser_api.py fails on any CSP report, naming the new hash.
REDOC_STYLE_HASHES = [
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # an empty <style>
]


@never_cache
@csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.NONCE, *REDOC_STYLE_HASHES]})
def redoc(request):
    return render(request, "apitokens/redoc.html")
