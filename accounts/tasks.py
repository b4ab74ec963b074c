"""Celery tasks: a thin interface over the services (STYLE, habit 6)."""

from celery import shared_task

from accounts import throttle


@shared_task(name="accounts.sign_in_windows_record", ignore_result=True)
def sign_in_windows_record_task() -> int:
    """Record closed windows of failed sign-ins with unknown names (R17), one event per address and window."""
    return throttle.sign_in_windows_record()
