"""Consultations (R17): one event per page or API answer that shows personal data, naming what it showed.

Lists record one event per request with the ids shown, their count and the filters that chose them
(`consultation_list_record`). Images a page shows (alert crops, reference photos) are fetched by
further requests; the page that recorded the consultation puts a short-lived token in their URLs
(`consultation_token_issue`), and the image view records again only without a valid token
(`consultation_token_valid`), so one visit is one event, while an image fetched on its own (a link
copied, a token expired) is still recorded. A token is bound to the user, the object and the session that
showed the page (sign-out or another session makes it worthless) and serves once: every serving of an image is
covered by exactly one recorded consultation, the page's or its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core import signing

from audits.events import EventType
from audits.services.record import _ref, audit_record
from audits.texts import filters_for_event

# How many ids one event names; a longer page is named by its first ids and its count.
LIST_IDS_RECORDED = 200

_TOKEN_SALT = "audits.consultation-token"
# The query parameter that carries the token in an image's URL.
CONSULTATION_TOKEN_PARAM = "consulted"


def consultation_list_record(
    *,
    actor: Any,
    event_type: EventType | str,
    interface: str,
    ids: Iterable[int],
    filters: Mapping[str, Any] | None = None,
    total: int | None = None,
    case_refs: Iterable[str] = (),
) -> None:
    """Record one consultation of a list (R17).

    ids: the rows shown, in order; filters: what chose them (query parameters, page); total: how
    many rows the filters matched in all; case_refs: the references of the cases the rows belong
    to, so the office can find every consultation touching a case.
    Side effects: one audit event, in the caller's transaction.
    """
    ids = [int(i) for i in ids]
    data = {
        "interface": interface,
        "ids": ids[:LIST_IDS_RECORDED],
        "count": len(ids),
        "filters": filters_for_event(filters),  # never a filter's free text (audits.texts)
        "cases": sorted({str(r) for r in case_refs if r}),
    }
    if total is not None:
        data["total"] = int(total)
    audit_record(actor=actor, event_type=event_type, data=data)


# Tokens already served in a session (its last few): a token serves once.
_USED_TOKENS_KEY = "audits_consultation_tokens_used"
_USED_TOKENS_KEPT = 200


def _session_key(session) -> str:
    if session is None:
        return ""
    if not session.session_key:
        session.save()  # a session that never stored anything has no key yet
    return session.session_key


def _token_payload(user, target, session) -> str:
    return f"{user.pk}|{_session_key(session)}|{_ref(target)}"


def consultation_token_issue(*, user, target, session) -> str:
    """A token saying `user`'s consultation of `target` (an object, or "app.Model:pk") is recorded, for use in this
    `session` (the request's).

    Only the timestamp and signature travel in the URL; the user, the session and the object are bound by the
    signature, so the token is worthless for another user, another session (or after signing out) or another image.
    """
    signed = signing.TimestampSigner(salt=_TOKEN_SALT).sign(_token_payload(user, target, session))
    return signed.rsplit(":", 2)[-2] + ":" + signed.rsplit(":", 1)[-1]


def consultation_token_valid(*, token: str | None, user, target, session) -> bool:
    """True if `token` came from consultation_token_issue for this user, object and session, is recent and was not
    served before; it is then marked served (in the session). False means the caller records the consultation."""
    if not token or session is None or not getattr(user, "is_authenticated", False):
        return False
    try:
        signing.TimestampSigner(salt=_TOKEN_SALT).unsign(
            f"{_token_payload(user, target, session)}:{token}", max_age=settings.CONSULTATION_TOKEN_SECONDS
        )
    except signing.BadSignature:  # also SignatureExpired
        return False
    used = list(session.get(_USED_TOKENS_KEY, []))
    if token in used:
        return False
    session[_USED_TOKENS_KEY] = [*used, token][-_USED_TOKENS_KEPT:]
    return True


def consultation_token_url(url: str, *, user, target, session) -> str:
    """`url` with a token for `user`, `target` and `session`: for an image a page shows after recording its
    consultation."""
    separator = "&" if "?" in url else "?"
    token = consultation_token_issue(user=user, target=target, session=session)
    return f"{url}{separator}{CONSULTATION_TOKEN_PARAM}={token}"
