"""Helpers every view uses: login, role checks, and the patient lookup.

A patient (or one of its records) is always fetched through
``Patient.objects.visible_to(request.user)``, so an id of another center's
patient answers 404, exactly as an id that does not exist.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from nephrocohort.registry.models import CHILD_MODELS, Patient, user_can
from nephrocohort.registry.signatures import RecordLockedError, locked_error, locking_signature

__all__ = [
    "registry_view",
    "visible_patient",
    "visible_record",
    "record_model",
    "chosen_rule_set",
    "DEFAULT_RULE_SET",
    "REFUSED_BECAUSE",
    "ReasonedNotFound",
    "ReasonedBadRequest",
    "RecordGone",
    "not_found",
    "bad_request",
    "posted_version",
    "refused_as_locked",
]

DEFAULT_RULE_SET = "study"


def chosen_rule_set(request) -> str:
    """The shipped rule set named by ``?rule_set=`` (default: the seed study's)."""
    from nephrocohort.clinical.rules import list_rule_sets

    name = request.GET.get("rule_set", DEFAULT_RULE_SET)
    if name not in list_rule_sets():
        raise ReasonedNotFound(
            f"There is no rule set named '{name}'. "
            f"The registry's rule sets are: {', '.join(list_rule_sets())}."
        )
    return name


class ReasonedNotFound(Http404):
    """A 404 whose message is written for the user and shown on the error page."""


class ReasonedBadRequest(BadRequest):
    """A 400 whose message is written for the user and shown on the error page."""


# A version number is a small positive integer; anything else is malformed, not a conflict.
_VERSION_DIGITS = 9


def posted_version(request, current: int) -> int:
    """The record version the user's form started from (``current`` when not sent).

    Not a whole number of at most nine digits: 400, never a 500 from ``int()``.
    """
    text = request.POST.get("version")
    if text is None:
        return current
    if not (text.isascii() and text.isdigit() and len(text) <= _VERSION_DIGITS):
        raise ReasonedBadRequest(
            _(
                "The form's version number '{text}' is not a whole number; reload the page and "
                "try again."
            ).format(text=text[:20])
        )
    return int(text)


def bad_request(request, exception):
    """The 400 page: the app's own reason when it gave one."""
    from django.shortcuts import render

    reason = str(exception) if isinstance(exception, ReasonedBadRequest) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


# Why a role is refused an action, in the words the 403 page shows.
REFUSED_BECAUSE = {
    "view": "Your login has no registry role; ask an administrator to give you one.",
    "edit": "Your role may look at patients but not enter or change data.",
    "import": "Your role may not import data.",
    "export": "Your role may not export data.",
    "export_identifiable": "Your role may export de-identified data only.",
    "report": "Your role may not run the cohort report.",
    "audit": "Your role may not see the audit trail.",
    "access_log": "Only administrators may see the access log.",
    "lock": "Only a principal investigator may sign and lock, or unlock, a patient record.",
}


def not_found(request, exception):
    """The 404 page: the app's own reason when it gave one, else a sentence that confirms nothing."""
    from django.shortcuts import render

    reason = str(exception) if isinstance(exception, ReasonedNotFound) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


def registry_view(action: str):
    """Require login and a role that allows ``action`` (see ``ROLE_PERMISSIONS``).

    Responses are marked never to be cached: pages show patient data, and a
    hospital PC's browser cache is shared by its users.
    """

    def decorate(view):
        @never_cache
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # Visibility first: another center's patient, or an id that does not
            # exist, is 404 for every role, so a 403 never confirms it exists.
            if "pk" in kwargs:
                patient = visible_patient(request, kwargs["pk"])
                if "record_pk" in kwargs:
                    visible_record(request, patient, kwargs["table"], kwargs["record_pk"])
            if not user_can(request.user, action):
                raise PermissionDenied(
                    REFUSED_BECAUSE.get(action, "Your role does not allow this.")
                )
            if action == "edit" and "pk" in kwargs:
                # A locked patient's forms do not even open (the models refuse the save anyway).
                signature = locking_signature(kwargs["pk"])
                if signature is not None:
                    return refused_as_locked(request, locked_error(signature), kwargs["pk"])
            try:
                return view(request, *args, **kwargs)
            except RecordLockedError as locked:
                # Locked while the form was open: nothing was saved (the transaction rolled back).
                return refused_as_locked(request, locked, kwargs.get("pk"))

        return wrapped

    return decorate


def refused_as_locked(request, locked: RecordLockedError, pk):
    """Back to the patient page (which shows the signature) with the refusal's message."""
    from django.contrib import messages
    from django.shortcuts import redirect

    messages.error(request, f"{locked.message} {locked.hint}")
    if pk is None:
        return redirect("registry:patient_list")
    return redirect("registry:patient_detail", pk=pk)


def visible_patient(request, pk: int) -> Patient:
    """The patient ``pk`` if the user sees it, else 404."""
    return get_object_or_404(Patient.objects.visible_to(request.user), pk=pk)


def record_model(table: str):
    try:
        return CHILD_MODELS[table]
    except KeyError:
        raise Http404(_("No such kind of record.")) from None


class RecordGone(ReasonedNotFound):
    """The record was deleted (by someone, at some time, said in words on the 404 page)."""


def visible_record(request, patient: Patient, table: str, pk: int):
    """The live record ``pk`` of ``patient``; a deleted one says so (who, when), else 404."""
    from nephrocohort.registry.conflicts import deleted_sentence

    model = record_model(table)
    record = model.all_objects.visible_to(request.user).filter(pk=pk, patient=patient).first()
    if record is None:
        raise Http404
    if record.is_deleted:
        raise RecordGone(deleted_sentence(record))
    return record
