"""Only the authority that decided a case may withhold its use from the register, with a reason and an end date;
everyone else is answered as if the case did not exist (R6, R23)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.events import EventType
from audits.models import AuditEvent
from oversight.models import Case
from tests.conftest import make_user
from transparency import services
from transparency.models import Withholding


@pytest.mark.django_db
def test_the_deciding_judge_withholds_through_the_page(register_world, client_for):
    case = Case.objects.get(pk=register_world.cases["march"].case.pk)
    judge = client_for(register_world.users.judge)
    until = timezone.localdate() + timedelta(days=10)
    response = judge.post(
        f"/transparency/withholdings/case/{case.pk}/", {"reason": "Trial pending.", "withheld_until": until.isoformat()}
    )
    assert response.status_code == 302
    assert Withholding.objects.filter(case=case, withheld_until=until, decided_by=register_world.users.judge).exists()
    assert AuditEvent.objects.filter(event_type=EventType.TRANSPARENCY_WITHHELD, case_ref=case.reference).exists()
    # A refused request was never a use: nothing to withhold.
    refused = register_world.cases["refused"].case
    assert judge.get(f"/transparency/withholdings/case/{refused.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_commission_member_who_voted_may_withhold_and_one_who_did_not_may_not(register_world):
    case = Case.objects.get(pk=register_world.cases["commission"].case.pk)
    voter, abstainer = register_world.users.commission[0], register_world.users.commission[4]
    until = timezone.localdate() + timedelta(days=3)
    services.use_withhold(actor=voter, case=case, reason="Witness protection.", withheld_until=until)
    with pytest.raises(PermissionError):
        services.use_withhold(actor=abstainer, case=case, reason="No.", withheld_until=until)


@pytest.mark.django_db
def test_everyone_else_gets_404_and_writes_nothing(register_world, client_for, roles):
    case = Case.objects.get(pk=register_world.cases["march"].case.pk)
    w = register_world.users
    other_judge = make_user("judge_other", "judge")
    before = Withholding.objects.count()
    for user in (w.requester, w.dpo, w.outsider, w.platform_admin, other_judge, w.verifiers[0]):
        client = client_for(user)
        assert client.get(f"/transparency/withholdings/case/{case.pk}/").status_code == 404, user
        posted = client.post(
            f"/transparency/withholdings/case/{case.pk}/",
            {"reason": "x", "withheld_until": timezone.localdate().isoformat()},
        )
        assert posted.status_code == 404, user
        assert client.post(f"/transparency/withholdings/{register_world.withholding.pk}/lift/").status_code == 404
        with pytest.raises(PermissionError):
            services.use_withhold(actor=user, case=case, reason="x", withheld_until=timezone.localdate())
    assert Withholding.objects.count() == before
    assert Withholding.objects.get(pk=register_world.withholding.pk).lifted_at is None
    # Not signed in: sent to sign in.
    anonymous = client_for(None).get(f"/transparency/withholdings/case/{case.pk}/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


@pytest.mark.django_db
def test_the_office_reads_every_withholding_and_the_public_none(register_world, client_for):
    page = client_for(register_world.users.dpo).get("/transparency/withholdings/")
    assert page.status_code == 200
    assert register_world.withholding.reason in page.content.decode()
    assert client_for(register_world.users.outsider).get("/transparency/withholdings/").status_code == 404
    assert client_for(register_world.users.requester).get("/transparency/withholdings/").status_code == 404


@pytest.mark.django_db
def test_a_withholding_needs_a_reason_and_an_end_date_within_the_limit(register_world, settings):
    case = Case.objects.get(pk=register_world.cases["march"].case.pk)
    judge = register_world.users.judge
    today = timezone.localdate()
    for reason, until, field in (
        ("  ", today + timedelta(days=1), "reason"),
        ("Trial pending.", today - timedelta(days=1), "withheld_until"),
        ("Trial pending.", today + timedelta(days=settings.TRANSPARENCY_WITHHOLDING_MAX_DAYS + 1), "withheld_until"),
    ):
        with pytest.raises(ValidationError) as error:
            services.use_withhold(actor=judge, case=case, reason=reason, withheld_until=until)
        assert field in error.value.message_dict
    assert Withholding.objects.filter(case=case).count() == 0
