"""Label normalisation, header vocabulary and alias lookup."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from .model import IGNORE

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_label(text: object) -> str:
    """Lower-case, strip, and collapse whitespace, underscores and punctuation to one space.

    "%" and "&" carry meaning ("DNA %" is not "DNA"; "A&E" is not "AE"), so they become words.
    The Django side builds alias keys with this function, so it must stay stable.
    """
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold()
    s = s.replace("%", " percent ").replace("&", " and ")
    return _NON_ALNUM.sub(" ", s).strip()


_FORMULA_CALL = re.compile(r"^[+\-@]\s*[A-Za-z_][\w.]*\s*\(")


def looks_like_formula(text: object) -> bool:
    """Spreadsheet formula injection: text a spreadsheet would run if the label were exported.

    "=" always starts a formula; "+", "-" and "@" only when followed by a function call or a
    DDE payload ("+cmd|'/C calc'!A0"), so "-3" or "- referrals" stay ordinary text.
    """
    if not isinstance(text, str):
        return False
    s = text.lstrip(" \t\r\n")
    if not s or s[0] not in "=+-@":
        return False
    if s[0] == "=":
        return len(s) > 1
    return bool(_FORMULA_CALL.match(s)) or ("|" in s) or ("!" in s and s[0] != "-")


def plausible_measure_label(text: str) -> bool:
    norm = normalise_label(text)
    letters = sum(ch.isalpha() for ch in norm)
    return letters >= 2 and len(str(text)) <= 120


TOTAL_LABELS = frozenset(
    {
        "total",
        "totals",
        "grand total",
        "sub total",
        "subtotal",
        "sum",
        "average",
        "averages",
        "avg",
        "mean",
        "overall",
        "all",
        "all sites",
        "all weeks",
        "ytd",
        "year to date",
        "total all sites",
    }
)


def is_total_label(text: object) -> bool:
    if not isinstance(text, str):
        return False
    norm = normalise_label(text)
    return norm in TOTAL_LABELS or norm.startswith(("grand total", "total for", "sub total"))


# Header vocabulary. Keys are normalised labels.
SITE_HEADERS = frozenset(
    {
        "site",
        "site code",
        "site name",
        "site id",
        "locality",
        "locality code",
        "locality name",
        "team",
        "team code",
        "team name",
        "service",
        "service code",
        "service name",
        "provider",
        "provider code",
        "provider name",
        "organisation",
        "organisation code",
        "organisation name",
        "org",
        "org code",
        "area",
        "place",
    }
)
MEASURE_HEADERS = frozenset(
    {
        "measure",
        "measure name",
        "measure code",
        "measure id",
        "measure description",
        "metric",
        "metric name",
        "metric code",
        "indicator",
        "indicator name",
        "indicator code",
        "kpi",
        "kpi name",
        "item",
        "description",
    }
)
VALUE_HEADERS = frozenset(
    {
        "value",
        "values",
        "count",
        "figure",
        "figures",
        "number",
        "amount",
        "result",
        "actual",
        "val",
        "n",
        "data",
        "score",
    }
)

_WEEK_RE = re.compile(
    r"^(?:week|wk|w)(?: (?:commencing|beginning|starting|start|start date|commencing date|"
    r"beginning date|starting date|ending|end|end date|ending date|date|no|number|num))?$"
)
_WEEK_SHORT = frozenset({"w c", "w e", "w b", "wc", "we", "wb", "w c date", "w e date"})
_MONTH_RE = re.compile(
    r"^(?:reporting |report )?(?:month|mon|period|date|month start|month end|month commencing|"
    r"month ending|month beginning|period start|period end|period start date|"
    r"period end date|month date|date of month|week|week commencing|week ending)"
    r"(?: date)?$"
)
ENDING_HEADERS = re.compile(r"\b(?:ending|end|w e|we)\b")
COMMENCING_HEADERS = re.compile(r"\b(?:commencing|beginning|starting|start|w c|wc|w b|wb)\b")


def period_header_kind(norm: str) -> str | None:
    """Return "week", "month" or "date" for a period column header, else None."""
    if norm in _WEEK_SHORT or _WEEK_RE.match(norm):
        return "week"
    if _MONTH_RE.match(norm):
        if "month" in norm:
            return "month"
        if "week" in norm:
            return "week"
        return "date"
    return None


RECORD_HEADERS: dict[str, frozenset[str]] = {
    "referral_date": frozenset(
        {
            "referral date",
            "date of referral",
            "referral received date",
            "date referral received",
            "referral received",
            "received date",
            "ref date",
            "referral start date",
            "date received",
            "referral datetime",
        }
    ),
    "outcome": frozenset(
        {
            "outcome",
            "referral outcome",
            "triage outcome",
            "decision",
            "referral decision",
            "referral status",
            "outcome of referral",
        }
    ),
    "first_contact_date": frozenset(
        {
            "first contact date",
            "date of first contact",
            "first contact",
            "first appointment date",
            "first appointment",
            "first attended appointment",
            "first seen date",
            "date first seen",
            "first attended contact date",
        }
    ),
    "closure_date": frozenset(
        {
            "closure date",
            "discharge date",
            "date closed",
            "closed date",
            "date of discharge",
            "referral closure date",
            "referral end date",
            "referral closed date",
            "date of closure",
        }
    ),
    "referral_id": frozenset(
        {
            "referral id",
            "referral reference",
            "referral ref",
            "ref id",
            "referral number",
            "referral no",
            "id",
        }
    ),
}


def record_role(norm: str) -> str | None:
    for role, names in RECORD_HEADERS.items():
        if norm in names:
            return role
    return None


class AliasTable:
    """Normalised label -> code, accepting the codes themselves as labels too."""

    def __init__(self, aliases: dict[str, str]) -> None:
        table: dict[str, str] = {}
        for code in aliases.values():
            if code != IGNORE:
                table.setdefault(normalise_label(code), code)
        # Keys are normalised again in case the caller stored raw labels.
        for key, code in aliases.items():
            table[normalise_label(key)] = code
        table.pop("", None)
        self.table = table
        # Every code a label of this file resolved to: a report of the file is private to
        # the sites it names (projects.permissions decides who may read which site).
        self.found: set[str] = set()
        self._phrases = sorted((k for k, v in table.items() if v != IGNORE), key=len, reverse=True)

    def lookup(self, label: object) -> str | None:
        norm = normalise_label(label)
        if not norm:
            return None
        code = self.table.get(norm)
        if code is None:
            # Units in brackets ("Median wait (days)") rarely distinguish two measures.
            bare = normalise_label(re.sub(r"\([^)]*\)", " ", str(label)))
            if bare and bare != norm:
                code = self.table.get(bare)
        if code is not None and code != IGNORE:
            self.found.add(code)
        return code

    def find_in(self, texts: Iterable[object]) -> str | None:
        """The code whose alias appears as whole words in any text (longest alias wins)."""
        for text in texts:
            norm = normalise_label(text)
            if not norm:
                continue
            padded = f" {norm} "
            for phrase in self._phrases:
                if f" {phrase} " in padded:
                    self.found.add(self.table[phrase])
                    return self.table[phrase]
        return None
