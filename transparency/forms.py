from django import forms
from django.utils.translation import gettext_lazy as _

from oversight.models.text import FREE_TEXT_MAX_LENGTH


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=FREE_TEXT_MAX_LENGTH,
        help_text=_("Why the public may not yet know of this use. The office reads it; the public never does."),
    )
    withheld_until = forms.DateField(
        label=_("Withheld until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day the use is kept out of the register; it is published the day after."),
    )
