"""Cases of the tenancy matrices (tests/test_tenancy_matrix.py, tests/test_tenancy_pages.py) for events and the
content library.

Events are the vendor's calendar (no tenant's data; drafts seen by the vendor's administrators only); a
registration is its partner's. Library materials are the vendor's, seen by the programmes, roles and tiers
they name; a contribution is its partner's until the vendor publishes it as a material.
"""

from __future__ import annotations

from tests.enablement_builders import event, specialist_for

__all__ = ["API_EXEMPT", "API_MATRIX", "UI_MATRIX", "library_b"]


def library_b(world):
    """B's event registration (on a published event), a draft event, and B's library objects."""
    from partnerhub.enablement import services

    published = event("Matrix webinar")
    draft = event("Matrix draft", published=False)
    from partnerhub.enablement.models import Specialist

    spec = (Specialist.objects.filter(organisation=world.partner_b, user=world.b_admin).first()
            or specialist_for(world.b_admin, world.partner_b, "B attendee"))  # fmt: skip
    reg = services.register(actor=world.b_admin, event=published, specialist=spec)
    return {"event": published.pk, "event_draft": draft.pk, "event_registration": reg.pk, "attendee": spec.pk,
            **_library_objects(world)}  # fmt: skip


def _library_objects(world):
    """A draft material (the vendor's administrators only), a template open to all, and B's contribution."""
    from partnerhub.library import services
    from tests.library_builders import material, pdf_file, template

    draft = material("Matrix draft material", published=False)
    open_template = template("Matrix template")
    contribution = services.contribution_submit(actor=world.b_admin, organisation=world.partner_b, kind="case_study",
                                                title="B's case", file=pdf_file("case.pdf"))  # fmt: skip
    return {"material_draft": draft.pk, "template": open_template.pk, "contribution": contribution.pk}


def _png():
    from tests.conftest import FormData
    from tests.library_builders import png_file

    return FormData(file=png_file())


API_MATRIX = {
    ("post", "/api/v1/enablement/events/{event_id}/registrations"): lambda o: (
        f"/enablement/events/{o['event']}/registrations", {"specialist_id": o["attendee"]}),
    ("post", "/api/v1/enablement/event-registrations/{registration_id}/cancel"): lambda o: (
        f"/enablement/event-registrations/{o['event_registration']}/cancel", None),
    ("post", "/api/v1/enablement/event-registrations/{registration_id}/attendance"): lambda o: (
        f"/enablement/event-registrations/{o['event_registration']}/attendance", {"attended": True}),
    ("post", "/api/v1/library/materials/{material_id}/cobranded-pdf"): lambda o: (
        f"/library/materials/{o['template']}/cobranded-pdf", {"organisation_id": o["org"]}),
    ("post", "/api/v1/library/organisations/{org_id}/logo"): lambda o: (
        f"/library/organisations/{o['org']}/logo", _png()),
    ("get", "/api/v1/library/contributions/{contribution_id}"): lambda o: (
        f"/library/contributions/{o['contribution']}", None),
    ("get", "/api/v1/library/contributions/{contribution_id}/file"): lambda o: (
        f"/library/contributions/{o['contribution']}/file", None),
    ("post", "/api/v1/library/contributions/{contribution_id}/review"): lambda o: (
        f"/library/contributions/{o['contribution']}/review", {"decision": "rejected", "comment": "x"}),
}  # fmt: skip

_LIBRARY = (
    "the vendor's library: no tenant's data; visibility by programme, role and tier and drafts for the "
    "vendor's administrators only (tests/test_library.py); written by vendor administrators only"
)
_CALENDAR = (
    "the vendor's event calendar: no tenant's data; written by vendor administrators only (tests/test_events.py)"
)
API_EXEMPT = {
    ("get", "/api/v1/enablement/events/{event_id}"): _CALENDAR,
    ("patch", "/api/v1/enablement/events/{event_id}"): _CALENDAR,
    ("post", "/api/v1/enablement/events/{event_id}/cancel"): _CALENDAR,
    ("get", "/api/v1/enablement/events/{event_id}/ics"): _CALENDAR,
    ("get", "/api/v1/library/materials/{material_id}"): _LIBRARY,
    ("patch", "/api/v1/library/materials/{material_id}"): _LIBRARY,
    ("post", "/api/v1/library/materials/{material_id}/versions"): _LIBRARY,
    ("get", "/api/v1/library/materials/{material_id}/download"): _LIBRARY,
}

UI_MATRIX = {
    # A draft event: the vendor's administrators only (every outsider, a partner manager included, gets 404).
    "learn-event": lambda o: {"event_id": o["event_draft"]},
    "learn-event-ics": lambda o: {"event_id": o["event_draft"]},
    "event-edit": lambda o: {"event_id": o["event_draft"]},
    "learn-event-registration-cancel": lambda o: {"registration_id": o["event_registration"]},
    "event-attendance": lambda o: {"registration_id": o["event_registration"]},
    # A draft material: the vendor's administrators only.
    "library-material": lambda o: {"material_id": o["material_draft"]},
    "library-download": lambda o: {"material_id": o["material_draft"]},
    "library-cobrand": lambda o: {"material_id": o["material_draft"]},
    "library-console-material": lambda o: {"material_id": o["material_draft"]},
    "library-contribution": lambda o: {"contribution_id": o["contribution"]},
    "library-contribution-file": lambda o: {"contribution_id": o["contribution"]},
}
