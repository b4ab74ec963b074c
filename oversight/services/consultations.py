"""Consultations of case lists (R17): the list page and /api/cases/ show references, units and
requesters of many cases at once; each answer records one event naming them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from audits.events import EventType
from audits.services import consultation_list_record
from oversight.models import Case


def case_list_record_view(
    *,
    actor,
    cases: Iterable[Case],
    interface: str,
    filters: Mapping[str, Any] | None = None,
    total: int | None = None,
) -> None:
    """R17: one consultation of a list of cases: the cases shown (ids and references), the filters
    and page that chose them, and how many matched in all.

    Call once per answer, with the rows actually shown (the page, not the whole query).
    Side effects: one `case_list.viewed` audit event.
    """
    cases = list(cases)
    consultation_list_record(
        actor=actor,
        event_type=EventType.CASE_LIST_VIEWED,
        interface=interface,
        ids=[c.pk for c in cases],
        case_refs=[c.reference for c in cases],
        filters=filters,
        total=total,
    )
