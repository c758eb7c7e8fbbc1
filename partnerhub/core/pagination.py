"""Page-number pagination for the UI's lists that counts only as far as the pager needs.

Django's ``Paginator`` counts every matching row to print "page 3 of 4,000": on a large unfiltered
list (a vendor's 100,000 deals) that count is the slowest query of the page and grows with the data.
This one counts at most ``LOOKAHEAD`` pages beyond the page asked for; when there are more rows the
pager says "page 3 of more than 13" (``capped``) and *Next* keeps working page after page. A list
shorter than that window is counted exactly, as before. A sequence that is not a queryset may
offer ``count_upto(limit)`` (the catalogue's lazy page does) or is counted whole.
"""

from __future__ import annotations

from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

LOOKAHEAD = 10  # pages counted beyond the one shown
# The highest page a client may ask for: with the largest page size that is 500 million rows, far
# beyond any list here, and the offset stays well inside a 64-bit integer (PostgreSQL's OFFSET).
MAX_PAGE = 1_000_000


class Paginator(DjangoPaginator):
    capped = False  # True when rows exist beyond what was counted

    def __init__(self, object_list, per_page, *, lookahead: int | None = LOOKAHEAD, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.lookahead = lookahead  # None: count everything (a page that prints the total)
        self._asked = 1

    def get_page(self, number):
        try:
            self._asked = min(max(1, int(number)), MAX_PAGE)  # beyond it: counted whole, the last page shown
        except (TypeError, ValueError):
            self._asked = 1
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        if self.lookahead is None:
            return super().count
        limit = (self._asked + self.lookahead) * self.per_page
        if isinstance(self.object_list, QuerySet):
            # COUNT(*) over a LIMIT subquery of keys: it stops at the window, sorts and annotates nothing
            n = self.object_list.order_by().values("pk")[: limit + 1].count()
        elif callable(getattr(self.object_list, "count_upto", None)):
            n = self.object_list.count_upto(limit + 1)
        else:
            return super().count
        self.capped = n > limit
        return min(n, limit)
