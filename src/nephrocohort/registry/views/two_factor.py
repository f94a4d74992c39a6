"""The second login step (a code from the authenticator or a recovery code), its set-up,
and changing one's own password."""

from __future__ import annotations

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from nephrocohort.registry.access_log import record_event
from nephrocohort.registry.two_factor import make_recovery_codes, two_factor_required


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("registry:patient_list")


@never_cache
@login_required
def otp_verify(request):
    """Ask for the code after the password; a recovery code works once instead."""
    from django_otp import login as otp_login
    from django_otp import match_token

    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            record_event(request, "login_second_factor", what=type(device).__name__)
            return redirect(_next(request))
        record_event(request, "login_second_factor_failed")
        form.add_error("token", _("This code is wrong or was already used."))
    return render(request, "registry/otp_verify.html", {"form": form, "next": _next(request)})


@never_cache
@login_required
def otp_setup(request):
    """Set up an authenticator app: show its key, confirm one code, give the recovery codes."""
    from django_otp import login as otp_login
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if request.user.is_verified() and request.method == "GET" and "codes" not in request.session:
        return redirect(reverse("registry:patient_list"))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect(reverse("registry:otp_verify"))
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save()
            otp_login(request, device)
            codes = make_recovery_codes(request.user)
            record_event(request, "second_factor_set_up")
            return render(request, "registry/otp_codes.html", {"codes": codes})
        form.add_error(
            "token", _("This code does not match; check the phone's clock and try again.")
        )
    context = {
        "form": form,
        "key": device.key,
        "url": device.config_url,
        "required": two_factor_required(request.user),
    }
    return render(request, "registry/otp_setup.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registry/password_change.html"
    success_url = reverse_lazy("registry:patient_list")

    def form_valid(self, form):
        from django.contrib import messages

        response = super().form_valid(form)
        record_event(self.request, "password_changed")
        messages.success(self.request, _("Your password was changed."))
        return response
