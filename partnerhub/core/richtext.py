"""Rich text that people write and others read: sanitised once, where it is stored (nh3).

Only the tags of ordinary formatted text survive (paragraphs, headings, lists, emphasis, code,
tables, links and images); scripts, styles, event handlers and ``style`` attributes are dropped, and
links and images keep only http(s), mailto and site-relative addresses. Templates then print the
stored value with ``|safe``: it never holds anything a content security policy would refuse.
"""

from __future__ import annotations

import nh3

TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "code", "pre",
    "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "dl", "dt", "dd",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"colspan", "rowspan"},
              "td": {"colspan", "rowspan"}}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str | None) -> str:
    """``value`` with every tag, attribute and address outside the allowed sets removed."""
    if not value:
        return ""
    return nh3.clean(
        value, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"
    ).strip()
