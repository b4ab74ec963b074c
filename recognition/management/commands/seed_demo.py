"""Seed a local demo: one user per role, two cameras playing a street, and an approved case (idempotent).

The demo password is random, kept in var/demo_password and printed, so no
password is ever written into the repository.

Each camera's source is a playlist in tests/fixtures (inside the project, never ../shared), played in a loop as
a live feed by the recognition workers: the sample clip, in which the sought person passes, between minutes of
strangers (the marathon crowd), the second camera half a period after the first. The case searches for
Lin-Manuel Miranda (in the clip) and for Alex Lacamoire and Barack Obama (not in it); their
reference photos are encoded here, synchronously (this command is not the web process).
"""

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.policy import second_factor_required
from accounts.services import demo_second_factor_issue
from audits.events import EventType
from audits.services import audit_record
from oversight import services as case_services
from oversight.models import Camera, Case, Deployment, Person
from oversight.roles import Role
from watchlists.services import reference_photo_encode, reference_photo_upload

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures" / "faces"
# Each camera plays a street: the sample clip (the sought person passes) between about 2.8 minutes of strangers,
# the second camera half a period after the first (recognition.video.read_playlist).
DEMO_CAMERAS = [
    ("Metro Mustek entrance", "Mustek metro station, Wenceslas Square entrance", "demo_street_a.playlist"),
    ("Main station hall", "Main railway station, departures hall", "demo_street_b.playlist"),
]
DEMO_PERSONS = [
    ("Lin-Manuel Miranda", "lin_manuel_miranda_1.png"),
    ("Alex Lacamoire", "alex_lacamoire_1.png"),
    ("Barack Obama", "obama_1.jpg"),
]
DEMO_LEGAL_BASIS = "Demo: Police Act s. 42(1) (fictitious)"

DEMO_DEPLOYMENT = "Demo pilot: two stations"
DEMO_USERS = [
    ("demo_requester", Role.REQUESTER, "Serious Crime Unit"),
    ("demo_judge", Role.JUDGE, "Municipal Court"),
    ("demo_commissioner_1", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_commissioner_2", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_commissioner_3", Role.COMMISSION_MEMBER, "Security Commission"),
    ("demo_verifier_1", Role.ALERT_VERIFIER, "Control Room"),
    ("demo_verifier_2", Role.ALERT_VERIFIER, "Control Room"),
    ("demo_dpo", Role.DPO_REVIEWER, "Data Protection Office"),
    ("demo_admin", Role.PLATFORM_ADMIN, "IT"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role) for a local run. Refuses when DEBUG is off."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stderr.write("seed_demo runs only with DEBUG on (a local demo); nothing done")
            return
        password_file = settings.VAR_DIR / "demo_password"
        if not password_file.exists():
            password_file.write_text(secrets.token_urlsafe(12))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        User = get_user_model()
        with transaction.atomic():
            for username, role, unit in DEMO_USERS:
                if User.objects.filter(username=username).exists():
                    continue
                user = User.objects.create_user(
                    username=username, password=password, unit=unit, is_staff=(role == Role.PLATFORM_ADMIN)
                )
                user.groups.add(Group.objects.get_or_create(name=role)[0])
                audit_record(
                    actor="command:seed_demo",
                    event_type=EventType.USER_CREATED,
                    target_ref=user,
                    data={"username": username, "role": role, "unit": unit},
                )
        self.stdout.write("Demo users: " + ", ".join(u for u, _, _ in DEMO_USERS))
        self._seed_recognition()
        self.stdout.write(f"Demo password (also in {password_file}): {password}")
        self._second_factors()

    def _second_factors(self):
        """Every role but the requester confirms sign-in with a second factor: the demo hands out recovery codes
        (each works once) so it can be tried without a phone; the authenticator key may be added to an app."""
        User = get_user_model()
        lines = []
        for username, _role, _unit in DEMO_USERS:
            user = User.objects.get(username=username)
            if not second_factor_required(user, {}):
                continue
            issued = demo_second_factor_issue(user=user)
            lines.append(
                f"{username}: recovery codes {' '.join(issued['recovery_codes'][:3])} ... "
                f"(authenticator key {issued['totp_key_base32']})"
            )
            lines.extend(f"  {code}" for code in issued["recovery_codes"])
        codes_file = settings.VAR_DIR / "demo_second_factor"
        codes_file.write_text("\n".join(lines) + "\n")
        codes_file.chmod(0o600)
        self.stdout.write(
            f"Second factor: after the password, type one of the user's recovery codes (each works once), listed in "
            f"{codes_file}; for example"
        )
        for line in lines:
            if not line.startswith("  "):
                self.stdout.write("  " + line)

    def _seed_deployment(self, admin, cameras):
        """The demo pilot: the city asked the office for its opinion on its cameras; the office was favourable."""
        from django.utils import timezone

        dpo = get_user_model().objects.get(username="demo_dpo")
        deployment = Deployment.objects.filter(name=DEMO_DEPLOYMENT).first()
        if deployment is None:
            deployment = case_services.deployment_create(
                actor=admin,
                name=DEMO_DEPLOYMENT,
                locations=", ".join(location for _, location, _ in DEMO_CAMERAS),
                consultation_request="Demo: prior consultation on a live facial recognition pilot at these stations.",
                consultation_requested_on=timezone.localdate() - timedelta(days=45),
            )
        case_services.deployment_set_cameras(
            actor=admin, deployment=deployment, camera_ids=[c.pk for c in cameras] + list(deployment.cameras.all())
        )
        if not deployment.usable:
            case_services.deployment_record_opinion(
                actor=dpo,
                deployment=deployment,
                opinion=Deployment.Opinion.FAVOURABLE,
                given_on=timezone.localdate() - timedelta(days=15),
            )

    def _seed_recognition(self):
        """Two clip cameras and one approved case covering them for 24 hours from now."""
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        User = get_user_model()
        admin = User.objects.get(username="demo_admin")
        requester = User.objects.get(username="demo_requester")
        judge = User.objects.get(username="demo_judge")
        cameras = []
        for name, location, feed in DEMO_CAMERAS:
            camera = Camera.objects.filter(name=name).first()
            if camera is None:
                camera = case_services.camera_create(
                    actor=admin, name=name, location_label=location, source=str(FIXTURES / "video" / feed)
                )
            cameras.append(camera)
        self._seed_deployment(admin, cameras)
        now = timezone.now()
        active = Case.objects.filter(
            requester=requester,
            legal_basis=DEMO_LEGAL_BASIS,
            status=Case.Status.APPROVED,
            approved_end__gt=now + timedelta(hours=1),
        ).first()
        if active is not None:
            self.stdout.write(f"Demo case {active.reference} is active until {active.approved_end:%Y-%m-%d %H:%M} UTC")
            return
        case = case_services.case_create(
            actor=requester,
            objective="suspect",
            offence="Armed robbery of a jeweller's (demo)",
            offence_max_sentence_years=12,
            requested_start=now,
            requested_end=now + timedelta(hours=24),
            assigned_judge=judge,
            legal_basis=DEMO_LEGAL_BASIS,
            evidence="Demo: CCTV stills and two witness statements place the suspect near both stations.",
            harm_assessment="Demo: the suspect is armed; further robberies are likely within days.",
            rights_impact="Demo: passers-by are scanned; non-matching faces are discarded at once (R11).",
            impact_assessment=SimpleUploadedFile(
                "dpia.txt", b"Demo fundamental-rights and data-protection impact assessment.\n", "text/plain"
            ),
            persons=[
                {"full_name": name, "category": "suspect", "reason": "Demo: named in the investigation."}
                for name, _ in DEMO_PERSONS
            ],
            cameras=[{"camera_id": c.pk, "reason": "Demo: the suspect travels through here daily."} for c in cameras],
        )
        for (_name, photo_name), person in zip(
            DEMO_PERSONS, Person.objects.filter(case=case).order_by("pk"), strict=True
        ):
            photo = reference_photo_upload(
                actor=requester,
                person=person,
                data=(FIXTURES / "people" / photo_name).read_bytes(),
                source="Demo: public press photo",
                legal_basis=DEMO_LEGAL_BASIS,
                captured_at=timezone.localdate(),
            )
            reference_photo_encode(photo_id=photo.pk)
        case = case_services.case_submit(actor=requester, case=case)
        case = case_services.case_decide(
            actor=judge, case=case, granted=True, reasons="Demo: necessary and proportionate for 24 hours."
        )
        self.stdout.write(
            f"Demo case {case.reference} approved until {case.approved_end:%Y-%m-%d %H:%M} UTC on "
            + ", ".join(c.name for c in cameras)
            + "; alerts appear at /alerts/ within a minute once the worker and beat run."
        )
