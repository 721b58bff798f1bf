"""Rich text: one allow-list HTML sanitizer (Ammonia via nh3) for every rich field."""

from __future__ import annotations

import html
import re

import nh3

TAGS = {
    "p", "br", "hr", "b", "strong", "i", "em", "u", "s", "sub", "sup", "mark", "small",
    "a", "ul", "ol", "li", "code", "pre", "kbd", "blockquote",
    "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Dropped with their content, not just their tags.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


def sanitize(html: str) -> str:
    """Keep ordinary formatting and links; drop scripts, event handlers and unsafe URLs."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


_BLOCK = re.compile(r"<(?=/?(?:p|br|hr|li|ul|ol|h[1-6]|pre|blockquote|table|tr|td|th)\b)", re.I)


def to_text(fragment: str) -> str:
    """The visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed
    (block boundaries separate words; inline tags do not)."""
    spaced = _BLOCK.sub(" <", fragment)
    stripped = nh3.clean(spaced, tags=set(), clean_content_tags=DROP_WITH_CONTENT)
    return " ".join(html.unescape(stripped).split())
