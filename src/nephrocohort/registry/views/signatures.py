"""Signing a patient record (which locks it) and unlocking it with a reason.

The rules are in ``registry/signatures.py``; these views ask for the
password (and the TOTP code of a user with an authenticator) at every signing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nephrocohort.registry.models import ATTESTATIONS, PatientSignature, SignatureMeaning
from nephrocohort.registry.signatures import (
    SignatureRefusedError,
    locking_signature,
    needs_code,
    sign_and_lock,
    unlock,
)
from nephrocohort.registry.views._common import registry_view, visible_patient


class _Credentials(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Two-factor code"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_code(user):
            self.fields["code"].required = True
        else:
            del self.fields["code"]


class SignForm(_Credentials):
    meaning = forms.ChoiceField(
        label=gettext_lazy("Meaning of the signature"),
        choices=[
            (value, f"{label}: {ATTESTATIONS[value]}") for value, label in SignatureMeaning.choices
        ],
        widget=forms.RadioSelect,
    )

    field_order = ["meaning", "password", "code"]


class UnlockForm(_Credentials):
    reason = forms.CharField(
        label=gettext_lazy("Reason for unlocking"),
        max_length=PatientSignature._meta.get_field("void_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the audit trail with the voided signature."),
    )

    field_order = ["reason", "password", "code"]


@registry_view("lock")
def sign_patient(request, pk: int):
    patient = visible_patient(request, pk)
    if locking_signature(patient.pk) is not None:
        messages.info(request, _("This patient is already locked by a signature."))
        return redirect("registry:patient_detail", pk=pk)
    return _credentials_step(
        request,
        patient,
        SignForm,
        sign_and_lock,
        "meaning",
        done=_("The patient record is signed and locked."),
        template="registry/sign_patient.html",
    )


@registry_view("lock")
def unlock_patient(request, pk: int):
    patient = visible_patient(request, pk)
    signature = locking_signature(patient.pk)
    if signature is None:
        messages.info(request, _("This patient is not locked."))
        return redirect("registry:patient_detail", pk=pk)
    return _credentials_step(
        request,
        patient,
        UnlockForm,
        unlock,
        "reason",
        done=_("The patient record is unlocked; its signature is void."),
        template="registry/unlock_patient.html",
        context={"signature": signature},
    )


def _credentials_step(request, patient, form_class, act, field, *, done, template, context=None):
    """The form asking for the password (and code); on a valid POST, ``act`` with them.

    ``act`` is ``sign_and_lock`` or ``unlock``; ``field`` is the form's own field
    (``meaning``, ``reason``) passed to it. A refusal is shown on the form.
    """
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            act(
                request,
                patient,
                password=data["password"],
                code=data.get("code", ""),
                **{field: data[field]},
            )
        except SignatureRefusedError as refused:
            form.add_error(None, f"{refused.message} {refused.hint}".strip())
        else:
            messages.success(request, done)
            return redirect("registry:patient_detail", pk=patient.pk)
    return render(request, template, {**(context or {}), "patient": patient, "form": form})
