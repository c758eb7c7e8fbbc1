from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import User
from .roles import ROLES_BY_KIND, Role


class LoginForm(AuthenticationForm):
    """Sign-in by e-mail with throttling of repeated failures per account."""

    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Wrong e-mail or password."),
        "throttled": _("Too many failed attempts. Wait %(minutes)s minutes or reset your password."),
    }

    def clean(self):
        email = (self.cleaned_data.get("username") or "").lower()
        password = self.cleaned_data.get("password")
        if email and password:
            if services.login_is_throttled(email=email):
                from django.conf import settings

                raise ValidationError(
                    self.error_messages["throttled"], code="throttled",
                    params={"minutes": settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60},
                )  # fmt: skip
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                services.login_failed(email=email)
                raise self.get_invalid_login_error()
            services.login_succeeded(email=email)
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    legal_name = forms.CharField(label=_("Legal name"), max_length=300, required=False)
    inn = forms.CharField(label=_("INN"), max_length=12, required=False)
    kpp = forms.CharField(label=_("KPP"), max_length=9, required=False)
    ogrn = forms.CharField(label=_("OGRN/OGRNIP"), max_length=15, required=False)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, initial="RU")
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def __init__(self, *args, can_assign_manager: bool = False, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields = {
                "kind": forms.ChoiceField(
                    label=_("Kind"), choices=[("partner", _("Partner")), ("customer", _("Customer"))]
                ),
                **self.fields,
            }
        if can_assign_manager:
            from .selectors import partner_managers

            self.fields["partner_manager"] = forms.ModelChoiceField(
                label=_("Partner manager"), queryset=partner_managers(), required=False
            )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in ROLES_BY_KIND[organisation.kind]]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in ROLES_BY_KIND[organisation.kind]]


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            raise ValidationError({"password_again": _("The two passwords differ.")})
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)
    expires_at = forms.DateTimeField(
        label=_("Expires (optional)"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )  # fmt: skip


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]
