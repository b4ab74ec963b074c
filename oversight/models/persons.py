"""Persons sought by a case: named, specific people only (R3), each with a category (R20)."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from oversight.models.text import FREE_TEXT_MAX_LENGTH

# R3: catch-all categories must be impossible to express. Two layers:
# an explicit list of whole names seen in practice, and a rule refusing any
# name that contains a word describing a group or an unknown person.
CATCH_ALL_NAMES = frozenset(
    {
        "persons of interest",
        "person of interest",
        "known hooligans",
        "football fans",
        "unknown",
        "unknown person",
        "unknown male",
        "unknown female",
        "unidentified person",
        "john doe",
        "jane doe",
        "anyone",
        "everyone",
        "all suspects",
        "wanted persons",
        "n a",
        "tbd",
    }
)
GROUP_WORDS = frozenset(
    {
        "persons",
        "people",
        "individuals",
        "suspects",
        "fans",
        "supporters",
        "hooligans",
        "ultras",
        "members",
        "protesters",
        "protestors",
        "demonstrators",
        "activists",
        "gang",
        "gangs",
        "group",
        "groups",
        "crowd",
        "others",
        "various",
        "unknown",
        "unidentified",
        "anonymous",
        "anybody",
        "anyone",
        "everybody",
        "everyone",
        "somebody",
        "someone",
        "all",
        "any",
        "etc",
        "interest",
    }
)
# Letters (any script), spaces, hyphens, apostrophes and dots: no digits, no wildcards.
_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\u2019.-][^\W\d_]*)*$")


def _normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.split(r"[\s'\u2019.\-/,]+", text)).strip()


def validate_named_person(value: str) -> None:
    """R3: a watchlist entry is one named, specific person.

    Refuses the explicit catch-all names, any name containing a group or
    unknown-person word, names with digits or wildcard characters, and names of
    a single word (a given name and a family name identify a specific person).
    """
    name = " ".join((value or "").split())
    if not name:
        raise ValidationError(_("Give the person's full name."))
    normalised = _normalise(name)
    words = normalised.split()
    if normalised in CATCH_ALL_NAMES or any(word in GROUP_WORDS for word in words):
        raise ValidationError(
            _("%(name)r is not a named, specific person: catch-all categories cannot be searched for (R3).")
            % {"name": name}
        )
    if not _NAME_CHARS.match(name):
        raise ValidationError(_("A name contains letters, spaces, hyphens, apostrophes and dots only."))
    if len(words) < 2:
        raise ValidationError(_("Give the full name (given name and family name) of one specific person (R3)."))


class Person(models.Model):
    class Category(models.TextChoices):
        # R20 (LED Art. 6)
        SUSPECT = "suspect", _("Suspect")
        CONVICTED = "convicted", _("Convicted person")
        VICTIM = "victim", _("Victim")
        WITNESS = "witness", _("Witness")
        MISSING_PERSON = "missing_person", _("Missing person")

    case = models.ForeignKey("oversight.Case", on_delete=models.CASCADE, related_name="persons")
    full_name = models.CharField(max_length=200, validators=[validate_named_person])
    category = models.CharField(max_length=20, choices=Category.choices)
    reason = models.TextField(max_length=FREE_TEXT_MAX_LENGTH, help_text=_("Why this person is sought in this case."))
    # A decision may take a person out of the approved scope (R5, R6).
    in_scope = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=["suspect", "convicted", "victim", "witness", "missing_person"]),
                name="person_category_valid",
            ),
            models.CheckConstraint(condition=~models.Q(full_name=""), name="person_full_name_required"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="person_reason_required"),
        ]

    def __str__(self):
        return self.full_name
