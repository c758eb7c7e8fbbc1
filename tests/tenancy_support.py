"""Partner support's cases of the tenancy matrix (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py):
B's request, its thread and its attachment are 404 to every outsider, through the API and the pages."""

from __future__ import annotations

from tests.conftest import FormData


def support_b(world) -> dict:
    """A support request of partner B with an attached file (a row: no file is written)."""
    from partnerhub.support import services
    from partnerhub.support.models import Attachment

    req = services.open_request(actor=world.b_admin, organisation=world.partner_b, kind="technical", subject="B",
                                body="B's problem")  # fmt: skip
    reply = req.replies.get()
    f = Attachment.objects.create(organisation=world.partner_b, reply=reply, file="support/b.pdf", name="b.pdf")
    return {"support_request": req.pk, "support_file": f.pk}


API_MATRIX = {
    ("get", "/api/v1/support/requests/{request_id}"): lambda o: (f"/support/requests/{o['support_request']}", None),
    ("post", "/api/v1/support/requests/{request_id}/replies"): lambda o: (
        f"/support/requests/{o['support_request']}/replies", FormData(body="x")),
    ("post", "/api/v1/support/requests/{request_id}/assign"): lambda o: (
        f"/support/requests/{o['support_request']}/assign", {"assignee_id": None}),
    ("post", "/api/v1/support/requests/{request_id}/status"): lambda o: (
        f"/support/requests/{o['support_request']}/status", {"status": "resolved"}),
    ("post", "/api/v1/support/requests/{request_id}/close"): lambda o: (
        f"/support/requests/{o['support_request']}/close", {"rating": 5}),
    ("post", "/api/v1/support/requests/{request_id}/reopen"): lambda o: (
        f"/support/requests/{o['support_request']}/reopen", {}),
}  # fmt: skip

UI_MATRIX = {
    "support-detail": lambda o: {"request_id": o["support_request"]},
    "support-reply": lambda o: {"request_id": o["support_request"]},
    "support-assign": lambda o: {"request_id": o["support_request"]},
    "support-status": lambda o: {"request_id": o["support_request"]},
    "support-close": lambda o: {"request_id": o["support_request"]},
    "support-reopen": lambda o: {"request_id": o["support_request"]},
    "support-file": lambda o: {"file_id": o["support_file"]},
}
