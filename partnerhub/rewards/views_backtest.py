"""The back-test page: a programme version over a past period's sales, against what was accrued (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.core.forms import add_service_errors
from partnerhub.core.tenancy import actor_for
from partnerhub.programmes.models import ProgrammeVersion

from . import backtest


def backtest_versions():
    """Versions worth a back-test: drafts (before publishing) and published ones (to compare)."""
    return (
        ProgrammeVersion.objects.filter(status__in=[ProgrammeVersion.Status.DRAFT, ProgrammeVersion.Status.PUBLISHED])
        .select_related("programme")
        .only("id", "number", "status", "programme__name", "programme__name_en", "programme__code")
        .order_by("programme__name", "-number")
    )  # fmt: skip


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgrammeVersion) -> str:
        return f"{obj.programme.name} · v{obj.number} ({obj.get_status_display()})"


class BacktestForm(forms.Form):
    version = VersionChoice(label=_("Programme version"), queryset=ProgrammeVersion.objects.none())
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = backtest_versions()


@login_required
def backtest_page(request: HttpRequest) -> HttpResponse:
    if not actor_for(request.user).is_vendor_staff:
        raise Http404
    backtest.require_designer(request.user)
    start, end = backtest.default_period(timezone.localdate())
    form = BacktestForm(request.GET or None, initial={"start": start, "end": end})
    result = None
    if form.is_bound and form.is_valid():
        try:
            result = backtest.run_backtest(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
    status = 422 if form.errors else 200
    return render(request, "rewards/backtest.html", {"form": form, "result": result}, status=status)
