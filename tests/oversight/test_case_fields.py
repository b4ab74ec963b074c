"""One declaration of a draft's editable fields drives the service, the form, the API and the page.

If a consumer lists fields of its own, these tests fail: add the field to CASE_DRAFT_FIELDS instead.
"""

import pytest
from django.urls import reverse

from oversight.apis import CaseCreateApi, CaseDetailApi, CaseDraftInput
from oversight.forms import CaseForm
from oversight.models import CASE_DRAFT_FIELDS, Case
from oversight.selectors import case_request_rows
from oversight.services.validation import TEXT_FIELDS, VALUE_FIELDS
from tests.oversight.factories import draft_case

pytestmark = pytest.mark.django_db


def test_the_form_has_exactly_the_declared_fields():
    assert tuple(CaseForm().fields) == CASE_DRAFT_FIELDS


def test_the_api_input_has_exactly_the_declared_fields():
    assert tuple(CaseDraftInput().fields) == CASE_DRAFT_FIELDS
    assert tuple(CaseCreateApi.CaseCreateInput().fields) == (*CASE_DRAFT_FIELDS, "persons", "cameras")


def test_the_api_output_shows_every_declared_value():
    output = set(CaseDetailApi.CaseDetailOutput.Meta.fields)
    assert set(VALUE_FIELDS) <= output
    assert "impact_assessment_attached" in output


def test_free_text_is_derived_from_the_model():
    # Text without choices is free text (never copied into the audit trail); choices and relations are not.
    assert {"offence", "legal_basis", "evidence", "harm_assessment", "rights_impact"} <= TEXT_FIELDS
    assert not TEXT_FIELDS & {"authority", "objective", "assigned_judge", "match_threshold", "requested_start"}


def test_every_declared_field_is_a_field_of_the_case_with_a_label():
    for name in CASE_DRAFT_FIELDS:
        field = Case._meta.get_field(name)
        assert field.verbose_name and field.editable


def test_the_case_page_shows_every_declared_field(world, client):
    case = draft_case(world.requester, world.cameras, judge=world.judge)
    rows = case_request_rows(case=case)
    assert [row["name"] for row in rows] == list(CASE_DRAFT_FIELDS)
    client.force_login(world.requester)
    page = client.get(reverse("oversight:case_detail", args=[case.pk])).content.decode()
    for row in rows:
        assert f"<th>{row['label']}</th>" in page
    assert "Witness statements and phone records." in page


def test_the_service_accepts_every_declared_field_and_refuses_others(world):
    from django.core.exceptions import ValidationError

    from oversight import services

    case = draft_case(world.requester, world.cameras, judge=world.judge, offence="Kidnapping")
    assert case.offence == "Kidnapping"
    with pytest.raises(ValidationError) as refused:
        services.case_update_draft(actor=world.requester, case=case, reference="FR-0000-0001")
    assert "reference" in refused.value.message_dict
