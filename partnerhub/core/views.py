from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnerhub.core.pagination import Paginator

from . import audit_labels
from .forms import AuditFilterForm
from .problems import problem_response
from .selectors import audit_entries


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the database always, the broker when one is configured."""
    checks: dict[str, str] = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
        healthy = False
    if settings.CELERY_BROKER_URL:
        try:
            import redis

            client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
            client.ping()
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
            healthy = False
    else:
        checks["broker"] = "not configured (jobs run in-process)"
    return JsonResponse({"status": "ok" if healthy else "unhealthy", "checks": checks}, status=200 if healthy else 503)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_entries(actor=request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    audit_labels.prepare(page.object_list)  # codes of programmes named once for the page
    query = request.GET.copy()
    query.pop("page", None)
    template = "core/_audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@login_required
def audit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(audit_entries(actor=request.user), pk=entry_id)
    return render(request, "core/audit_detail.html", {"entry": entry})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, status=404, code="not_found", title=_("Not found"),
                                detail=_("No such resource."))  # fmt: skip
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, status=403, code="forbidden", title=_("Forbidden"),
                                detail=str(exception) if exception else "")  # fmt: skip
    return render(request, "errors/403.html", {"reason": str(exception or "")}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(request, status=500, code="server_error", title=_("Server error"),
                                detail=_("Something went wrong on our side; it has been logged."))  # fmt: skip
    return render(request, "errors/500.html", status=500)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from django.utils import timezone

    from .models import Notification

    qs = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        qs.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notification-list")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page, "query": ""})


@login_required
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    from django.utils import timezone

    from .models import Notification

    n = get_object_or_404(Notification, pk=notification_id, user=request.user)
    Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=timezone.now())
    return redirect(n.url if n.url.startswith("/") and not n.url.startswith("//") else "notification-list")
