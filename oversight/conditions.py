"""The office's opinion as rules (R5, R10, R13): the conditions of a deployment the platform enforces itself.

A deployment's opinion may limit processing to hours of the day and days of the week, the length of a use and the
laxest match threshold. One camera may belong to several deployments: a camera may be used when at least one
deployment it belongs to, with a usable opinion, permits it. Drafts and grants outside these conditions are refused
with the condition named; the gate (selectors.case_scopes_for_camera) analyses no frame outside the hours and days.
Free-text conditions stay text: the judge confirms each one before granting.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oversight.models import Camera, Deployment
from oversight.models.deployments import USABLE_OPINIONS


def permits_at_q(at: datetime) -> Q:
    """A filter on deployments: those whose hours and days permit processing at instant `at` (display zone)."""
    local = timezone.localtime(at)
    moment = local.time()
    hours = (
        Q(hours_from__isnull=True)
        | (Q(hours_from__lt=F("hours_until")) & Q(hours_from__lte=moment, hours_until__gt=moment))
        | (Q(hours_from__gt=F("hours_until")) & (Q(hours_from__lte=moment) | Q(hours_until__gt=moment)))
    )
    days = Q(weekdays="") | Q(weekdays__contains=str(local.isoweekday()))
    return hours & days


def permits_at(deployment: Deployment, at: datetime) -> bool:
    """The same rule as permits_at_q, for one deployment in memory."""
    local = timezone.localtime(at)
    if deployment.weekdays and str(local.isoweekday()) not in deployment.weekdays:
        return False
    start, end, moment = deployment.hours_from, deployment.hours_until, local.time()
    if start is None:
        return True
    return start <= moment < end if start < end else (moment >= start or moment < end)


def condition_words(deployment: Deployment) -> list[str]:
    """The deployment's enforced conditions in plain words, for pages, forms and errors."""
    words = []
    if deployment.hours_from is not None:
        words.append(
            _("processing only from %(start)s to %(end)s")
            % {"start": time_format(deployment.hours_from, "H:i"), "end": time_format(deployment.hours_until, "H:i")}
        )
    if deployment.weekdays:
        days = ", ".join(str(WEEKDAYS[int(day) - 1]) for day in sorted(set(deployment.weekdays)))
        words.append(_("only on %(days)s") % {"days": days})
    if deployment.max_duration_hours:
        words.append(_duration_words(deployment))
    if deployment.max_threshold is not None:
        words.append(_threshold_words(deployment))
    return words


def scope_condition_errors(*, camera_ids, start: datetime, end: datetime, threshold: float | None) -> list[str]:
    """Plain-words problems of a requested or granted scope with the office's conditions: for each camera, no
    usable deployment allows a use this long or a threshold this lax. Empty when every camera's conditions hold."""
    errors = []
    hours = (end - start).total_seconds() / 3600 if start and end else 0
    cameras = Camera.objects.filter(pk__in=list(camera_ids)).order_by("pk")
    deployments = Deployment.objects.filter(cameras__in=cameras, opinion__in=USABLE_OPINIONS).prefetch_related(
        "cameras"
    )
    by_camera: dict[int, list[Deployment]] = {}
    for deployment in deployments.distinct():
        for camera in deployment.cameras.all():
            by_camera.setdefault(camera.pk, []).append(deployment)
    for camera in cameras:
        mine = by_camera.get(camera.pk, [])
        if not mine:
            continue  # no usable opinion at all: said by camera_usability_errors
        if any(_scope_fits(d, hours, threshold) for d in mine):
            continue
        for deployment in mine:
            broken = []
            if deployment.max_duration_hours and hours > deployment.max_duration_hours:
                broken.append(_duration_words(deployment))
            if deployment.max_threshold is not None and threshold is not None and threshold > deployment.max_threshold:
                broken.append(_threshold_words(deployment))
            errors.append(
                _(
                    "The data protection office's opinion on %(deployment)s allows the camera %(camera)r only with "
                    "%(conditions)s."
                )
                % {"deployment": deployment.name, "camera": camera.name, "conditions": "; ".join(broken)}
            )
    return errors


def _scope_fits(deployment: Deployment, hours: float, threshold: float | None) -> bool:
    if deployment.max_duration_hours and hours > deployment.max_duration_hours:
        return False
    return deployment.max_threshold is None or threshold is None or threshold <= deployment.max_threshold


def _duration_words(deployment: Deployment) -> str:
    hours = deployment.max_duration_hours
    return ngettext("a use of at most %(hours)d hour", "a use of at most %(hours)d hours", hours) % {"hours": hours}


def _threshold_words(deployment: Deployment) -> str:
    return _("a match threshold of at most %(threshold)s") % {"threshold": number_format(deployment.max_threshold)}
