"""Pages for reference photos: upload on a draft, consult the image (recorded, R17)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from audits.services import CONSULTATION_TOKEN_PARAM
from oversight.selectors import case_get_for_user
from watchlists import selectors, services


class PhotoUploadForm(forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("A JPEG or PNG image showing this person's face alone, as recent as possible."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    source = forms.CharField(
        max_length=300,
        label=gettext_lazy("Source"),
        help_text=gettext_lazy("Where the image comes from (for example the police register)."),
    )
    legal_basis = forms.CharField(
        max_length=300,
        label=gettext_lazy("Legal basis"),
        help_text=gettext_lazy("The legal basis for using this image."),
    )
    captured_at = forms.DateField(
        label=gettext_lazy("Date taken"),
        help_text=gettext_lazy("The date the image was taken."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    # A browser never lets a page fill a file field again, and holding a person's photo on the server until the
    # rest of the form is right would keep personal data nobody decided to keep. So the page says plainly that the
    # file must be chosen again, and the browser's own checks (required fields, the date picker) catch most
    # mistakes before the photo is sent at all.
    FILE_NOT_KEPT = gettext_lazy(
        "The photo you chose was not kept, because another field needs correcting: choose the file again."
    )

    def add_file_not_kept_notice(self, files) -> None:
        if files.get("photo") and "photo" not in self.errors:
            self.add_error("photo", self.FILE_NOT_KEPT)


def _person_for(user, case_pk: int, person_pk: int) -> tuple:
    case = case_get_for_user(user=user, pk=case_pk)
    person = selectors.person_get_for_case(case=case, person_pk=person_pk)
    return case, person


@login_required
@require_http_methods(["GET", "POST"])
def photo_upload(request, case_pk: int, person_pk: int):
    case, person = _person_for(request.user, case_pk, person_pk)
    form = PhotoUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reference_photo_upload(
                    actor=request.user,
                    person=person,
                    data=form.cleaned_data["photo"].read(settings.UPLOAD_MAX_BYTES + 1),
                    source=form.cleaned_data["source"],
                    legal_basis=form.cleaned_data["legal_basis"],
                    captured_at=form.cleaned_data["captured_at"],
                )
            except PermissionDenied as exc:
                raise PermissionDenied(str(exc)) from None
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                form.add_file_not_kept_notice(request.FILES)
            else:
                messages.info(
                    request,
                    _(
                        "Photo received. The face is being computed: its state below shows when it is ready "
                        "(or why it failed)."
                    ),
                )
                return redirect("watchlists:photo_upload", case_pk=case.pk, person_pk=person.pk)
        else:
            form.add_file_not_kept_notice(request.FILES)
        status = 400
    photos = list(selectors.reference_photo_list(person=person))
    # R17: the page shows the person and their photos' details: one consultation per page shown.
    services.reference_photo_list_record_view(
        actor=request.user, case=case, person=person, photos=photos, interface="page"
    )
    return render(
        request,
        "watchlists/photo_upload.html",
        {
            "case": case,
            "person": person,
            "form": form,
            "photos": photos,
            # While a face is being computed, static/js/photo-status.js updates its state in place.
            "photos_pending": any(p.status == p.Status.PENDING for p in photos),
            "can_remove": case.status == case.Status.DRAFT and case.requester_id == request.user.pk,
        },
        status=status,
    )


@login_required
def photo_image(request, case_pk: int, person_pk: int, photo_pk: int):
    """Serve a decrypted reference photo to someone who may see the case; record the consultation."""
    case, person = _person_for(request.user, case_pk, person_pk)
    try:
        data = services.reference_photo_consult(
            actor=request.user,
            case=case,
            person=person,
            photo_pk=photo_pk,
            via="page",
            consultation_token=request.GET.get(CONSULTATION_TOKEN_PARAM),
            session=request.session,
        )
    except LookupError:
        raise Http404(_("No such photo.")) from None
    response = HttpResponse(data.content, content_type=data.content_type)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def photo_remove(request, case_pk: int, person_pk: int, photo_pk: int):
    """The requester takes a wrong or unsuitable photo off a draft; it is destroyed at once (R12, R17).

    GET asks first, on a page of its own (the destruction cannot be undone); only its form's POST destroys.
    """
    case, person = _person_for(request.user, case_pk, person_pk)
    photo = get_object_or_404(person.photos.all(), pk=photo_pk)
    if request.method == "GET":
        if not (case.status == case.Status.DRAFT and case.requester_id == request.user.pk):
            raise PermissionDenied(_("Only the requester may remove a photo, and only while the case is a draft."))
        number = [p.pk for p in selectors.reference_photo_list(person=person)].index(photo.pk) + 1
        return render(
            request,
            "watchlists/photo_remove_confirm.html",
            {"case": case, "person": person, "photo": photo, "number": number},
        )
    try:
        services.reference_photo_delete(actor=request.user, photo=photo)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, _("The photo and its face template were destroyed."))
    return redirect("watchlists:photo_upload", case_pk=case.pk, person_pk=person.pk)
