"""Users, cases and their authorisation (R1-R10)."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    # The police unit (or court, commission, office) the user belongs to.
    unit = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.get_username()
