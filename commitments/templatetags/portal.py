"""Template tags for the portal's page layout."""

from django import template
from django.conf import settings
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def default_language_path(context):
    """Return the current page's path and query in the default language (no language prefix).

    The language switcher posts this as ``next``. Django's ``set_language`` runs
    unprefixed, so in English, and can translate an English path into any
    language but cannot resolve a ``/ru/…`` path back to English.
    """
    request = context["request"]
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
