"""Record sign-ins, sign-outs and failed sign-ins (R17)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audits.events import EventType
from audits.services import audit_record


def _client(request) -> dict:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", ""), "path": request.path}


@receiver(user_logged_in, dispatch_uid="audits_login")
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, event_type=EventType.AUTH_LOGIN, data=_client(request))


@receiver(user_logged_out, dispatch_uid="audits_logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, event_type=EventType.AUTH_LOGOUT, data=_client(request))


@receiver(user_login_failed, dispatch_uid="audits_login_failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; keep only the name tried.
    attempted = str(credentials.get("username", ""))[:150]
    audit_record(actor=f"attempt:{attempted}", event_type=EventType.AUTH_LOGIN_FAILED, data=_client(request))
