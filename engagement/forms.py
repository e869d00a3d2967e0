from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Review


class ReviewForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("Your judgement"), choices=Review.Stance.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose agree, partly agree or dispute."),
                        "invalid_choice": _("Choose agree, partly agree or dispute.")},
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=Review._meta.get_field("comment").max_length,
        error_messages={"required": _("Write a comment explaining your review.")},
    )
    evidence = forms.CharField(
        label=_("Evidence links (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000,
    )

    def clean_evidence(self):
        try:
            return services.parse_links(self.cleaned_data["evidence"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from None


class ResponseForm(forms.Form):
    response = forms.CharField(
        label=_("Reasoned response"), widget=forms.Textarea(attrs={"rows": 4}), max_length=Review._meta.get_field("response").max_length,
        error_messages={"required": _("Write the reasons of your response.")},
    )


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for hiding"), max_length=Review._meta.get_field("hidden_reason").max_length, error_messages={"required": _("Give the reason for hiding.")},
    )
