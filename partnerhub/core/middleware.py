import uuid

from . import request_context


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        via = "api" if request.path.startswith("/api/") else "ui"
        token = request_context.set_current(
            request_context.RequestContext(request_id=request_id, ip=client_ip(request), via=via)
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response


def client_ip(request) -> str | None:
    # Only REMOTE_ADDR is trusted; a reverse proxy must set it (gunicorn --forwarded-allow-ips).
    return request.META.get("REMOTE_ADDR") or None
