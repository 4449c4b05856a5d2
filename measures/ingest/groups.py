"""Grouping columns of a record-level extract: which column, which codes, which group.

Each grouping ("by" in the API) reads one optional column and turns each distinct cell into a
group label once (columns are factorised, so a million rows cost one lookup per distinct
code). A code outside a grouping's list is a problem naming the allowed values; a blank cell
is its own group ("Not stated" or "Not known"), since leaving it out would make the groups
add up to less than the whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .context import Factorized
from .readers import cell_text, is_blank
from .text import normalise_label

NOT_KNOWN = "Not known"

ETHNIC_GROUPS = {
    **dict.fromkeys("ABC", "White"),
    **dict.fromkeys("DEFG", "Mixed"),
    **dict.fromkeys("HJKL", "Asian"),
    **dict.fromkeys("MNP", "Black"),
    **dict.fromkeys("RS", "Other"),
    "Z": "Not stated",
    "99": "Not stated",
}
AGE_BANDS = (
    (0, 4, "0-4"),
    (5, 10, "5-10"),
    (11, 15, "11-15"),
    (16, 17, "16-17"),
    (18, 25, "18-25"),
)
SEXES = {
    "1": "Male",
    "m": "Male",
    "male": "Male",
    "2": "Female",
    "f": "Female",
    "female": "Female",
    "9": "Indeterminate",
    "indeterminate": "Indeterminate",
    "i": "Indeterminate",
    "x": NOT_KNOWN,
    "0": NOT_KNOWN,
    "u": NOT_KNOWN,
    "not known": NOT_KNOWN,
    "unknown": NOT_KNOWN,
    "not specified": NOT_KNOWN,
    "not stated": NOT_KNOWN,
}
THRIVE_GROUPINGS = (
    "Thriving",
    "Getting Advice and Signposting",
    "Getting Help",
    "Getting More Help",
    "Getting Risk Support",
)
_THRIVE = {normalise_label(g): g for g in THRIVE_GROUPINGS} | {
    "getting advice": "Getting Advice and Signposting",
    "advice and signposting": "Getting Advice and Signposting",
    "getting risk support": "Getting Risk Support",
    "risk support": "Getting Risk Support",
}
REFERRAL_SOURCES = (
    "GP",
    "School",
    "Self",
    "Family",
    "Health",
    "A&E",
    "Social care",
    "Voluntary sector",
    "Police or justice",
    "Other",
)
_SOURCES = {normalise_label(s): s for s in REFERRAL_SOURCES} | {
    "general practitioner": "GP",
    "gp practice": "GP",
    "primary care": "GP",
    "education": "School",
    "college": "School",
    "school nurse": "School",
    "self referral": "Self",
    "young person": "Self",
    "health visitor": "Health",
    "hospital": "Health",
    "paediatrics": "Health",
    "camhs": "Health",
    "nhs": "Health",
    "social worker": "Social care",
    "children s social care": "Social care",
    "charity": "Voluntary sector",
    "third sector": "Voluntary sector",
    "voluntary sector organisation": "Voluntary sector",
    "youth offending": "Police or justice",
    "justice": "Police or justice",
    "parent": "Family",
    "carer": "Family",
    "parent or carer": "Family",
    "accident and emergency": "A&E",
    "emergency department": "A&E",
    "ed": "A&E",
    "local authority": "Social care",
    "social services": "Social care",
    "voluntary": "Voluntary sector",
    "police": "Police or justice",
    "youth justice": "Police or justice",
    "not known": NOT_KNOWN,
}


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        return float(cell_text(value).strip())
    except ValueError:
        return None


def _ethnic(value: object) -> str | None:
    text = cell_text(value).strip().upper()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return ETHNIC_GROUPS.get(text)


def _imd(value: object) -> str | None:
    x = _number(value)
    if x is None or x != int(x) or not 1 <= x <= 10:
        return None
    return str((int(x) + 1) // 2)


def _age(value: object) -> str | None:
    x = _number(value)
    if x is None or x != int(x):
        return None
    for low, high, label in AGE_BANDS:
        if low <= x <= high:
            return label
    return None


def _sex(value: object) -> str | None:
    text = normalise_label(value)
    if text.endswith(" 0") and text[:-2].isdigit():
        text = text[:-2]
    return SEXES.get(text)


def _thrive(value: object) -> str | None:
    return _THRIVE.get(normalise_label(value))


def _source(value: object) -> str | None:
    return _SOURCES.get(normalise_label(value))


@dataclass(frozen=True)
class Grouping:
    by: str  # the API's name: ?by=ethnic_group
    title: str  # in words, for pages
    headers: frozenset[str]  # normalised column headers that hold it
    classify: Callable[[object], str | None]
    blank: str  # the group of a blank cell
    groups: tuple[str, ...]  # every label, in the order pages show them
    allowed: str  # the allowed values, in words, for a problem
    # The group of a value not on the list, where there is no standard list to hold a file to
    # (referral sources are free text in many systems): counted there and named in a note.
    # None: such a value is refused.
    unknown: str | None = None


GROUPINGS: dict[str, Grouping] = {
    g.by: g
    for g in (
        Grouping(
            "ethnic_group",
            "ethnic group",
            frozenset({"ethnic category", "ethnic category code", "ethnicity", "ethnic group"}),
            _ethnic,
            "Not stated",
            ("White", "Mixed", "Asian", "Black", "Other", "Not stated"),
            "NHS Data Dictionary ethnic category codes A, B, C, D, E, F, G, H, J, K, L, M, N, "
            "P, R, S, Z or 99, or blank",
        ),
        Grouping(
            "imd_quintile",
            "deprivation (IMD quintile)",
            frozenset(
                {"imd decile", "imd", "deprivation decile", "index of multiple deprivation decile"}
            ),
            _imd,
            NOT_KNOWN,
            ("1", "2", "3", "4", "5", NOT_KNOWN),
            "a whole number from 1 (most deprived) to 10, or blank",
        ),
        Grouping(
            "sex",
            "sex",
            frozenset({"sex", "gender", "person stated gender", "stated gender"}),
            _sex,
            NOT_KNOWN,
            ("Male", "Female", "Indeterminate", NOT_KNOWN),
            "1 or M (male), 2 or F (female), 9 (indeterminate), X or 0 (not known), or blank",
        ),
        Grouping(
            "age_band",
            "age at referral",
            frozenset({"age", "age at referral", "age years", "age in years"}),
            _age,
            NOT_KNOWN,
            (*(label for _, _, label in AGE_BANDS), NOT_KNOWN),
            "a whole number of years from 0 to 25, or blank",
        ),
        Grouping(
            "thrive_grouping",
            "THRIVE grouping",
            frozenset({"thrive grouping", "needs based grouping", "thrive group", "grouping"}),
            _thrive,
            NOT_KNOWN,
            (*THRIVE_GROUPINGS, NOT_KNOWN),
            ", ".join(THRIVE_GROUPINGS) + ", or blank",
        ),
        Grouping(
            "referral_source",
            "referral source",
            frozenset({"referral source", "source of referral", "referrer", "source"}),
            _source,
            NOT_KNOWN,
            (*REFERRAL_SOURCES, NOT_KNOWN),
            ", ".join(REFERRAL_SOURCES) + ", or blank",
            unknown="Other",
        ),
    )
}


# Every grouping, and every group label of them all, as the categories of one categorical
# each: figures per group of several groupings then concatenate, and are stored, as small
# integer codes rather than as text to be hashed (700,000 labels took 0.1 s a column).
BY_LABELS: tuple[str, ...] = tuple(GROUPINGS)
GROUP_LABELS: tuple[str, ...] = tuple(
    dict.fromkeys(label for g in GROUPINGS.values() for label in g.groups)
)
_GROUP_CODES = {
    by: np.array([GROUP_LABELS.index(label) for label in g.groups], dtype=np.int16)
    for by, g in GROUPINGS.items()
}


def group_codes(by: str) -> np.ndarray:
    """Each group of grouping `by` as its index into GROUP_LABELS."""
    return _GROUP_CODES[by]


def group_name(by: str, group: str) -> str:
    """A group as a page names it: IMD quintiles say which end is which."""
    if by == "imd_quintile" and group not in (NOT_KNOWN,):
        return {"1": "Quintile 1 (most deprived)", "5": "Quintile 5 (least deprived)"}.get(
            group, f"Quintile {group}"
        )
    return group


def grouping_of_header(norm: str) -> Grouping | None:
    for g in GROUPINGS.values():
        if norm in g.headers:
            return g
    return None


@dataclass
class Classified:
    codes: np.ndarray  # int16 per row: index into labels; -1 = not an allowed value
    labels: np.ndarray  # object: group labels
    bad_text: np.ndarray  # object: the cell as written, per distinct value (for messages)
    raw_codes: np.ndarray  # intp per row: index into bad_text
    others: list[str] = field(default_factory=list)  # values counted in grouping.unknown


def classify(
    grouping: Grouping, column: pd.Series, factorized: Factorized | None = None
) -> Classified:
    """Each row's group, looked up once per distinct cell."""
    raw, uniques = factorized or pd.factorize(column, use_na_sentinel=True)
    uniques = list(uniques)
    labels = list(grouping.groups)
    index = {label: i for i, label in enumerate(labels)}
    # int16: a grouping has a few groups, and a million codes are read once per measure
    per_unique = np.empty(len(uniques) + 1, dtype=np.int16)
    others = []
    for i, u in enumerate(uniques):
        label = grouping.blank if is_blank(u) else grouping.classify(u)
        if label is None and grouping.unknown is not None:
            label = grouping.unknown
            others.append(cell_text(u))
        per_unique[i] = -1 if label is None else index[label]
    per_unique[-1] = index[grouping.blank]
    raw = np.where(raw < 0, len(uniques), raw)
    texts = np.array([cell_text(u) for u in uniques] + [""], dtype=object)
    return Classified(per_unique[raw], np.array(labels, dtype=object), texts, raw, sorted(others))
