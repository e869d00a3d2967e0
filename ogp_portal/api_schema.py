"""The OpenAPI schema class: drf-spectacular's, plus the error responses each operation can give."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


ErrorDetail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
ValidationErrors = inline_serializer(
    "ValidationErrors",
    {
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
)


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: a translated message per field (Accept-Language), unknown fields refused.",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "403": "Signed in, but not allowed to do this (or a read-only token tried to write).",
    "404": "No such object, or not visible to you; also an invalid page or cursor.",
    "405": "This method is not offered here.",
    "406": "The Accept header asks for a format other than JSON.",
    "412": "If-Match does not match the current ETag: someone changed the object since you read it.",
    "415": "The body is not JSON.",
    "428": "If-Match is missing: send the ETag you last read.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can give."""

    def _error_codes(self):
        method = self.method.upper()
        codes = {"400", "401", "403", "404", "406", "429"}
        if method not in ("GET", "HEAD", "OPTIONS"):
            codes |= {"405", "415"}
        if method in ("PATCH", "PUT") or getattr(self.view, "action", None) in getattr(self.view, "versioned_actions", ()):
            codes |= {"412", "428"}
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            if code in responses:
                continue
            serializer = ValidationErrors if code == "400" else ErrorDetail
            responses[code] = self._get_response_for_code(serializer, code, direction=direction)
            responses[code]["description"] = ERROR_DESCRIPTIONS[code]
        if "429" in responses:
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before the next request."}
            }
        return responses


