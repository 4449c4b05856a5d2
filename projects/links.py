"""Links that people type: to a page of this site, or to a document elsewhere over https.

Browsers read `/\\evil.example/` and `/<TAB>/evil.example` as `//evil.example`, another site; a
link is checked with Django's own test for safe redirects (the same rules the browsers use),
and any whitespace or control character inside it is refused outright.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.http import url_has_allowed_host_and_scheme

_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


def site_path(link: str, *, field: str = "link") -> str:
    """A path on this site (starting with one /), or ValidationError."""
    link = link.strip()
    if (
        not link.startswith("/")
        or link.startswith("//")
        or _UNSAFE.search(link)
        or not url_has_allowed_host_and_scheme(link, allowed_hosts=set())
    ):
        raise ValidationError(
            {field: "Paste the address of a THRIVE Tracker page, starting with /, like /sites/NGT/"}
        )
    return link


def https_url(url: str, *, field: str = "url") -> str:
    """An absolute https:// address, or ValidationError."""
    url = url.strip()
    try:
        if _UNSAFE.search(url):
            raise ValidationError("unsafe character")
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError(
            {field: "Enter a web address starting with https://, like https://www.england.nhs.uk/"}
        ) from None
    if not url_has_allowed_host_and_scheme(
        url, allowed_hosts={url.split("/")[2]}, require_https=True
    ):
        raise ValidationError({field: "Enter a web address starting with https://"})
    return url
