"""What sign-in security keeps besides django-otp's devices and django-axes' attempts.

- SignInWindow: failed sign-ins from one client address in one fixed window, so the address can be throttled
  across usernames before any password is hashed, and sign-ins with names that do not exist become one audit
  event per address and window instead of one each (R17 with a bound on what an unauthenticated client can add).
- EnrolmentCode: the one-time code an administrator issues so a privileged account can enrol its second factor.
- SecondFactorReset: one reset of a person's second factor with the operator's reason; the audit event references
  it and does not copy the reason (audits.texts).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInWindow(models.Model):
    # A keyed hash of the address (accounts.throttle.address_key), never the address itself.
    address_key = models.CharField(max_length=64)
    network = models.CharField(max_length=64, blank=True)
    window_start = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    unknown_names = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["address_key", "window_start"], name="accounts_signin_window_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="accounts_signin_window_start")]

    def __str__(self):
        return f"{self.network} from {self.window_start:%Y-%m-%d %H:%M}"


class EnrolmentCode(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_codes")
    # Only a hash: the code is shown once to the administrator who issued it.
    code_hash = models.CharField(max_length=128)
    issued_by = models.CharField(max_length=150)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"], name="accounts_enrolment_code_open")]

    def __str__(self):
        return f"enrolment code for {self.user_id} issued {self.issued_at:%Y-%m-%d %H:%M}"


class SecondFactorReset(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor_resets")
    operator = models.CharField(max_length=150)
    reason = models.TextField(max_length=2000)
    devices_removed = models.PositiveIntegerField(default=0)
    reset_at = models.DateTimeField()

    class Meta:
        ordering = ["-reset_at", "-id"]

    def __str__(self):
        return f"second factor of {self.user_id} reset {self.reset_at:%Y-%m-%d %H:%M}"
