"""The catalogue's search index: one row per value a listed partner can be found by.

A partner's competences, regions served and product families are JSON lists on its profile;
neither SQLite nor a portable ORM lookup can filter "contains this value, ignoring case" on them
with an index. So every value is also kept here, folded for matching, and the locator filters
with indexed ``EXISTS`` sub-queries and paginates in SQL. Rows are derived data: rewritten from
the organisation and its profile whenever either is saved (``index.sync_terms``); nothing else
writes them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueTerm(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", _("Region")  # where the partner sits, and every region it serves
        CITY = "city", _("City")  # where the partner sits, normalised ("г. Москва" → "москва")
        COMPETENCE = "competence", _("Competence")
        FAMILY = "family", _("Product family")  # a declared product family code

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=200)  # folded: what a filter is compared with
    label = models.CharField(max_length=200)  # as the partner wrote it: what the filter lists

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "value"], name="catalogue_term_once"),
        ]
        indexes = [models.Index(fields=["kind", "value", "organisation"], name="catalogue_term_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"
