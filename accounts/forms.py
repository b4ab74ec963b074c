from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
        help_text=_("The 6-digit code your authenticator app shows now, or one of your recovery codes."),
    )


class EnrolCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("After adding the account, type the 6-digit code the app shows."),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("The code a platform administrator gave you, for example ABCD-EFGH-JKMN-PQRS."),
    )


class EnrolmentCodeIssueForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150, strip=True)
