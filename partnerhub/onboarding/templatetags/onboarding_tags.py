"""``{% onboarding_banner %}``: a link to the onboarding checklist while it is unfinished."""

from django import template

from partnerhub.identity.roles import OrgKind

from .. import selectors as onboarding_selectors

register = template.Library()


@register.inclusion_tag("partners/onboarding/_banner.html", takes_context=True)
def onboarding_banner(context) -> dict:
    request = context.get("request")
    org = context.get("current_organisation")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or org is None or org.kind != OrgKind.PARTNER:
        return {"checklist": None}
    checklist = onboarding_selectors.checklist(actor=user, organisation=org)
    if checklist is None or checklist.done:
        return {"checklist": None}
    return {"checklist": checklist, "remaining": sum(1 for i in checklist.items if not i.done)}
