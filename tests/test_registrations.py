"""The registries that remain (a lower layer that truly must call a higher one) are checked at start-up: removing
any expected registration makes oversight.E030 or watchlists.E030 fail, naming what is missing."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from oversight import holds, registry
from watchlists import registry as watchlists_registry


def errors(check_id: str) -> list[str]:
    return [m.msg for m in checks.run_checks() if m.id == check_id]


def test_every_expected_registration_is_there_at_start_up():
    assert errors("oversight.E030") == []
    assert errors("watchlists.E030") == []


@pytest.mark.parametrize(
    ("remove", "missing"),
    [
        (lambda mp: mp.delitem(registry._readiness_checks, "watchlists.reference_faces"), "readiness check"),
        (lambda mp: mp.setattr(registry, "_photo_states", []), "case photo states"),
        (lambda mp: mp.delitem(registry._usage_providers, "recognition.scans_and_alerts"), "case usage figures"),
        (lambda mp: mp.setattr(registry, "_purge_queue", []), "R9 purge"),
        (lambda mp: mp.delitem(holds._providers, "restriction"), "hold 'restriction'"),
        (lambda mp: mp.delitem(holds._providers, "open_request"), "hold 'open_request'"),
        (lambda mp: mp.delitem(holds._providers, "review_in_progress"), "hold 'review_in_progress'"),
        (lambda mp: mp.delitem(holds._providers, "sighting_under_verification"), "hold 'sighting_under_verification'"),
    ],
    ids=[
        "readiness",
        "photo-states",
        "case-usage",
        "r9-purge",
        "hold-restriction",
        "hold-open-request",
        "hold-review",
        "hold-sighting",
    ],
)
def test_oversight_registry_check_fails_when_a_registration_is_missing(monkeypatch, remove, missing):
    remove(monkeypatch)
    found = errors("oversight.E030")
    assert len(found) == 1 and f"as the {missing} " in found[0]
    with pytest.raises(SystemCheckError, match="oversight.E030"):
        call_command("check")


@pytest.mark.parametrize(
    ("remove", "missing"),
    [
        (lambda mp: mp.setattr(watchlists_registry, "_encoder", []), "the reference encoder"),
        (
            lambda mp: mp.delitem(watchlists_registry._reencrypters, "recognition.alert_crops"),
            "the re-encrypter 'recognition.alert_crops'",
        ),
    ],
    ids=["reference-encoder", "alert-crops-reencrypter"],
)
def test_watchlists_registry_check_fails_when_a_registration_is_missing(monkeypatch, remove, missing):
    remove(monkeypatch)
    assert errors("watchlists.E030") == [f"Nothing is registered as {missing} in watchlists.registry."]
    with pytest.raises(SystemCheckError, match="watchlists.E030"):
        call_command("check")


def test_without_the_office_a_refused_urgent_use_is_not_silently_kept(monkeypatch):
    """The R9 purge has no fallback: with nothing registered the transition fails loudly, never quietly."""
    monkeypatch.setattr(registry, "_purge_queue", [])
    with pytest.raises(RuntimeError, match="office app must be installed"):
        registry.case_data_purge_queue(object())
