from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import Agency

from .models import DraftCommitment, Proposal, Sector, Stage


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    problem = forms.CharField(label=_("What is the problem?"), widget=forms.Textarea(attrs={"rows": 4}))
    proposed_commitment = forms.CharField(label=_("What should the commitment do?"), widget=forms.Textarea(attrs={"rows": 4}))
    agency = forms.ModelChoiceField(label=_("Agency concerned"), queryset=Agency.objects.none(), required=False)
    agency_text = forms.CharField(label=_("Or name the agency"), max_length=300, required=False)
    sector = forms.ChoiceField(label=_("You propose as"), choices=Sector.choices)

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        if member is not None:
            self.fields["agency"].queryset = Agency.objects.filter(member=member).order_by("name")


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ModerationForm(forms.Form):
    hide = forms.TypedChoiceField(
        label=_("Action"), coerce=lambda v: v == "hide",
        choices=[("hide", _("Hide the proposal")), ("show", _("Show the proposal again"))],
    )
    reason = forms.CharField(label=_("Reason (shown to the public)"), widget=forms.Textarea(attrs={"rows": 3}))


class ResponseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("The forum's decision"),
        choices=[(v, label) for v, label in Proposal.Outcome.choices if v != Proposal.Outcome.PENDING],
    )
    response = forms.CharField(label=_("Reasoned response"), widget=forms.Textarea(attrs={"rows": 4}))


class DraftForm(forms.ModelForm):
    class Meta:
        model = DraftCommitment
        fields = ["title", "lead_agency", "problem", "description", "contribution", "relevance", "expected_results",
                  "other_state_actors", "other_actors", "milestones", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    note = forms.CharField(label=_("What changed"), max_length=300, required=False)
    proposals = forms.ModelMultipleChoiceField(label=_("Made from the proposals"), queryset=Proposal.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, process=None, **kwargs):
        super().__init__(*args, **kwargs)
        if process is not None:
            self.fields["lead_agency"].queryset = Agency.objects.filter(member=process.member).order_by("name")
            self.fields["proposals"].queryset = process.proposals.all()


class DeliveryForm(forms.Form):
    title = forms.CharField(label=_("Title of the action plan"), max_length=300)
    start_date = forms.DateField(label=_("Implementation starts"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Implementation ends"), widget=forms.DateInput(attrs={"type": "date"}))


class SubmissionForm(forms.Form):
    submitted_on = forms.DateField(label=_("Submitted to OGP on"), widget=forms.DateInput(attrs={"type": "date"}))


class DocumentFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), required=False)
    cycle = forms.ChoiceField(label=_("Cycle"), required=False)


class OpenProcessForm(forms.Form):
    """Open the co-creation of a member's next plan (the point of contact or the forum secretariat)."""

    member = forms.ModelChoiceField(label=_("Member"), queryset=None, to_field_name="code")
    deadline = forms.DateField(
        label=_("Plan deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Filled in from the compliance engine; leave it empty to use the engine's deadline."),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=300, required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Next stage"), choices=[])
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(v, label) for v, label in Stage.choices if v != Stage.SUBMITTED]
