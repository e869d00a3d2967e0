from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _


class SignUpForm(UserCreationForm):
    """A civil-society account: a user name, an email address to confirm, and a password."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to this address; the account works once you open it."),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self):
        # Whether the name is taken is not checked here ("A user with that username already exists."
        # would tell anyone who has an account): the view answers "check your email" either way and
        # accounts.services.open_account writes to the address if the name is taken.
        return self.cleaned_data["username"]

    def validate_unique(self):
        """Skip the model's uniqueness checks (user name): the database keeps them, the service answers."""

    def clean_email(self):
        # A taken address is not an error here: the view answers as for a new account and emails the
        # address's owner instead (accounts.services.open_account), so the form reveals nobody's email.
        return self.cleaned_data["email"].strip()
