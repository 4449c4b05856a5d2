"""Weekly measures derived from a record-level referral extract (one row per referral).

Derived measures, each produced only when its code is known to measure_aliases:
- referrals_received: referrals by the week of referral_date.
- referrals_accepted / referrals_signposted / referrals_rejected: by the week of
  referral_date, classified from the outcome text.
- first_contacts: first contacts by the week of first_contact_date.
- closures: referrals closed by the week of closure_date.
- median_wait_days: median days from referral to first contact, by the week of the FIRST
  CONTACT. A wait is only known once the child has been seen, so grouping by referral week
  would make recent weeks look short (only the quick contacts are known yet) and change
  every time a later extract arrives; grouping by contact week gives a figure that is final
  when the week ends ("children first seen this week had waited a median of N days"), like
  completed waits in RTT reporting.
Counts are zero-filled between a site's first and last week, since a week with no
rejections is a real zero. open_caseload is not derived: an extract of referrals received
in a window does not hold the referrals still open from before it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .context import Context, Piece
from .groups import (
    BY_LABELS,
    GROUP_LABELS,
    Classified,
    Grouping,
    classify,
    group_codes,
    grouping_of_header,
)
from .header import Header
from .layouts import SheetContext, _blank_rows, _date_problems, _fast_blank, _site_codes
from .model import IGNORE
from .readers import cell_text
from .text import normalise_label
from .values import BLANK, iso_monday, to_dates

DERIVED = (
    "referrals_received",
    "referrals_accepted",
    "referrals_signposted",
    "referrals_rejected",
    "first_contacts",
    "closures",
    "median_wait_days",
)


OUTCOME_PARTS = ("accepted", "signposted", "rejected")


def outcome_class(text: object) -> str | None:
    n = normalise_label(text)
    if not n:
        return None
    if "signpost" in n or "redirect" in n or "advice" in n:
        return "signposted"
    if any(w in n for w in ("reject", "declin", "not accept", "inappropriate", "not appropriate")):
        return "rejected"
    if "accept" in n:
        return "accepted"
    return None


def read_records(
    ctx: Context, frame: pd.DataFrame, rows: np.ndarray, header: Header, sc: SheetContext
) -> Piece | None:
    role = {c.role: c for c in reversed(header.columns) if c.role}
    ref_col = role["referral_date"]
    today = np.datetime64(ctx.options.today, "D")

    key_cols = [c.index for c in header.columns if c.role]
    active = ~_blank_rows(frame, key_cols)

    def dates_of(col_role: str, required: bool):
        col = role.get(col_role)
        if col is None:
            return None, None
        parsed = to_dates(frame[col.index], ctx.factorized(frame, col.index))
        raw = frame[col.index].array  # read a cell at a time, for messages only
        check = active if required else active & (parsed.status != BLANK)
        ok = _date_problems(ctx, parsed, check, sc.name, rows, col.name, raw)
        future = ok & (parsed.dates > today)
        if not required:
            # A closure or contact dated after today has not happened yet (a planned discharge,
            # a booked appointment): the event is not counted, and the report says so, rather
            # than refusing a whole extract for a few forward-dated records.
            count = int(future.sum())
            if count:
                first = int(np.flatnonzero(future)[0])
                ctx.notes.append(
                    f"{count} record(s){f' on sheet {sc.name!r}' if sc.name is not None else ''}"
                    f" have a {col.name!r} after today "
                    f"(first on row {int(rows[first])}: {pd.Timestamp(parsed.dates[first]):%d/%m/%Y}); "
                    "those events are not counted until they happen."
                )
            return parsed.dates, ok & ~future
        ctx.emit_rows(
            future,
            "future_date",
            sc.name,
            rows,
            col.name,
            lambda i: (
                f"{pd.Timestamp(parsed.dates[i]):%d/%m/%Y} is in the future "
                f"(today is {ctx.options.today:%d/%m/%Y})"
            ),
        )
        return parsed.dates, ok & ~future

    ref, ref_ok = dates_of("referral_date", True)
    contact, contact_ok = dates_of("first_contact_date", False)
    closed, closed_ok = dates_of("closure_date", False)
    row_ok = ref_ok.copy()
    if contact is not None:
        early = contact_ok & ref_ok & (contact < ref)
        ctx.emit_rows(
            early,
            "date_order",
            sc.name,
            rows,
            role["first_contact_date"].name,
            lambda i: "the first contact date is before the referral date",
        )
        row_ok &= ~early
    if closed is not None:
        early = closed_ok & ref_ok & (closed < ref)
        ctx.emit_rows(
            early,
            "date_order",
            sc.name,
            rows,
            role["closure_date"].name,
            lambda i: "the closure date is before the referral date",
        )
        row_ok &= ~early
    if "referral_id" in role:
        ids = frame[role["referral_id"].index]
        id_blank = _fast_blank(ids)
        counted = active & ~id_blank
        dup = counted & ids.duplicated(keep="first").to_numpy()
        # The row each repeated referral was first seen on, for the message; built only when
        # there are repeats (a million-entry dict cost 0.8 s for nothing).
        first_seen: dict[object, int] = {}
        if dup.any():
            repeated = counted & ids.isin(set(ids[dup])).to_numpy()
            first_seen = dict(zip(ids[repeated][::-1], rows[repeated][::-1], strict=True))
        ctx.emit_rows(
            dup,
            "duplicate",
            sc.name,
            rows,
            role["referral_id"].name,
            lambda i: (
                f"referral '{cell_text(ids.iat[i])}' appears more than once "
                f"(also on row {first_seen[ids.iat[i]]})"
            ),
        )
        row_ok &= ~dup

    groupings = _read_groupings(ctx, frame, rows, active, header, sc)
    for _, classified in groupings:
        row_ok &= classified.codes >= 0

    site_coded, site_ok = _site_codes(ctx, frame, rows, active & ref_ok, header, sc)
    # Sites as small integers (each distinct site once, however spelt) for the groupings below:
    # grouping a million site codes as text cost more than the rest of the counting.
    label_codes, site_labels = pd.factorize(site_coded.labels, use_na_sentinel=False)
    site = label_codes[site_coded.codes]
    use = active & row_ok & site_ok
    looked_up = {d: ctx.measures.lookup(d) for d in DERIVED}
    wanted = {d: c for d, c in looked_up.items() if c is not None and c != IGNORE}
    if not wanted:
        ctx.log.add(
            "no_measures",
            "this is a referral-level extract, but none of the measures it can produce "
            f"({', '.join(DERIVED)}) is set up",
            sheet=sc.name,
            row=header.row_number,
        )
        return None

    used_site = site[use].astype(np.int64)
    used_row = rows[use].astype(np.int64)
    ref_week = iso_monday(ref[use])
    parts: list[pd.DataFrame] = []

    def span_of(site_: np.ndarray, days: np.ndarray) -> tuple[int, int, int, np.ndarray]:
        """(first day, weeks, sites, cells): the (site, week) cells from each site's first
        week of `days` to its last, flat, as counts are zero-filled over them."""
        day0 = int(days.min())
        n_weeks = int(days.max() - day0) // 7 + 1
        n_sites = int(site_.max()) + 1
        per_week = np.bincount(site_ * n_weeks + (days - day0) // 7, minlength=n_sites * n_weeks)
        keep = np.flatnonzero(_in_span(per_week.reshape(n_sites, n_weeks) > 0).ravel())
        return day0, n_weeks, n_sites, keep

    def counts(
        code: str,
        site_: np.ndarray,
        days: np.ndarray,
        row: np.ndarray,
        span: tuple[int, int, int, np.ndarray],
    ) -> None:
        """Rows per site and week, zero-filled over the cells of `span` (which holds every
        row counted), with the first row counted (integer keys and bincount: pandas'
        groupby and reindex cost a tenth of a second a measure)."""
        day0, n_weeks, n_sites, keep = span
        size = n_sites * n_weeks
        key = site_ * n_weeks + (days - day0) // 7
        n = np.bincount(key, minlength=size)[keep]
        first_row = np.full(size, np.iinfo(np.int64).max)
        np.minimum.at(first_row, key, row)
        s_i, w_i = np.divmod(keep, n_weeks)
        parts.append(
            pd.DataFrame(
                {
                    "site": s_i,
                    "week": (day0 + 7 * w_i).astype("datetime64[D]"),
                    "value": n.astype("float64"),
                    "row": np.where(n > 0, first_row[keep], header.row_number),
                    "measure": code,
                }
            )
        )

    ref_days = _day_numbers(ref_week)
    ref_span = span_of(used_site, ref_days) if len(ref_days) else None
    if "referrals_received" in wanted and ref_span is not None:
        counts(wanted["referrals_received"], used_site, ref_days, used_row, ref_span)
    part = None
    if "outcome" in role:
        idx = role["outcome"].index
        codes, uniques = ctx.factorized(frame, idx) or pd.factorize(
            frame[idx], use_na_sentinel=True
        )
        classes = [outcome_class(u) for u in uniques]
        # Each row's outcome as its part of the referrals: 1 accepted, 2 signposted,
        # 3 rejected, 0 none (compared as small integers, not as text a million times).
        part_of = np.array(
            [OUTCOME_PARTS.index(c) + 1 if c else 0 for c in classes] + [0], dtype=np.int8
        )
        part = part_of[np.where(codes < 0, len(classes), codes)][use]
        unknown = sorted(
            {
                cell_text(u)
                for u, c in zip(uniques, classes, strict=False)
                if c is None and cell_text(u)
            }
        )
        if unknown:
            ctx.notes.append(
                f"outcomes not counted as accepted, signposted or rejected: {', '.join(unknown[:10])}"
            )
        for i, name in enumerate(OUTCOME_PARTS, start=1):
            derived = f"referrals_{name}"
            if derived in wanted and ref_span is not None:
                mine = part == i
                counts(wanted[derived], used_site[mine], ref_days[mine], used_row[mine], ref_span)
    if contact is not None and ("first_contacts" in wanted or "median_wait_days" in wanted):
        seen = use & contact_ok
        df = pd.DataFrame(
            {
                "site": site[seen],
                "row": rows[seen],
                "week": iso_monday(contact[seen]),
                "wait": (contact[seen] - ref[seen]).astype("int64"),
            }
        )
        if "first_contacts" in wanted and len(df):
            seen_site, seen_days = (
                df["site"].to_numpy().astype(np.int64),
                _day_numbers(df["week"].to_numpy()),
            )
            counts(
                wanted["first_contacts"],
                seen_site,
                seen_days,
                df["row"].to_numpy().astype(np.int64),
                span_of(seen_site, seen_days),
            )
        if "median_wait_days" in wanted and len(df):
            days = _day_numbers(df["week"].to_numpy())
            day0 = int(days.min())
            n_weeks = int(days.max() - day0) // 7 + 1
            key = df["site"].to_numpy().astype(np.int64) * n_weeks + (days - day0) // 7
            # in order of wait, then (stable) of site and week: each key's waits sorted
            wait = df["wait"].to_numpy()
            order = _stable_order(wait)
            order = order[_stable_order(key[order])]
            k, w = key[order], wait[order]
            starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
            sizes = np.diff(np.r_[starts, len(k)])
            first_row = np.minimum.reduceat(df["row"].to_numpy()[order], starts)
            s_i, w_i = np.divmod(k[starts], n_weeks)
            parts.append(
                pd.DataFrame(
                    {
                        "site": s_i,
                        "week": (day0 + 7 * w_i).astype("datetime64[D]"),
                        "value": (w[starts + (sizes - 1) // 2] + w[starts + sizes // 2]) / 2.0,
                        "row": first_row,
                        "measure": wanted["median_wait_days"],
                    }
                )
            )
    if closed is not None and "closures" in wanted:
        done = use & closed_ok
        if done.any():
            done_site = site[done].astype(np.int64)
            done_days = _day_numbers(iso_monday(closed[done]))
            counts(
                wanted["closures"],
                done_site,
                done_days,
                rows[done].astype(np.int64),
                span_of(done_site, done_days),
            )

    parts = [p for p in parts if len(p)]
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    k = len(out)
    grouped = None
    if groupings:
        families = _families(
            wanted=wanted,
            part=part,
            ref_week=ref_week,
            contact=contact,
            contact_ok=contact_ok,
            closed=closed,
            closed_ok=closed_ok,
            ref=ref,
            use=use,
        )
        grouped = _grouped_figures(
            site=site[use],
            site_labels=np.asarray(site_labels, dtype=object),
            families=families,
            groupings=[(g, c.codes[use]) for g, c in groupings],
        )
    return Piece(
        site=np.asarray(site_labels, dtype=object)[out["site"].to_numpy()],
        date=out["week"].to_numpy().astype("datetime64[D]"),
        kind=np.full(k, None, dtype=object),
        measure=out["measure"].to_numpy(dtype=object),
        value=out["value"].to_numpy(dtype="float64"),
        row=out["row"].to_numpy(dtype="int64"),
        column=np.full(k, ref_col.name, dtype=object),
        sheet=sc.name,
        header_kind=None,
        frequency_hint="week",
        grouped=grouped,
    )


def _read_groupings(
    ctx: Context,
    frame: pd.DataFrame,
    rows: np.ndarray,
    active: np.ndarray,
    header: Header,
    sc: SheetContext,
) -> list[tuple[Grouping, Classified]]:
    """The grouping columns the header names, each row's group, and a problem for every row
    whose code is not on its grouping's list."""
    found: list[tuple[Grouping, Classified]] = []
    seen: set[str] = set()
    for col in header.columns:
        if col.role is not None or col.total:
            continue
        grouping = grouping_of_header(col.norm)
        if grouping is None or grouping.by in seen:
            continue
        seen.add(grouping.by)
        classified = classify(grouping, frame[col.index], ctx.factorized(frame, col.index))
        bad = active & (classified.codes < 0)
        ctx.emit_rows(
            bad,
            "bad_group_code",
            sc.name,
            rows,
            col.name,
            functools.partial(_bad_group_message, grouping, classified),
        )
        if classified.others:
            shown = ", ".join(classified.others[:10]) + (
                " ..." if len(classified.others) > 10 else ""
            )
            ctx.notes.append(f"{grouping.title}s counted as {grouping.unknown}: {shown}")
        found.append((grouping, classified))
    return found


@dataclass
class _Family:
    """Measures counted over the same used rows by the same week: one pass per grouping
    serves them all. Counts are zero-filled over each site's weeks of `rows`."""

    week: np.ndarray  # datetime64 per used row
    rows: np.ndarray  # bool per used row: the rows counted (their weeks span the fill)
    counts: list[tuple[str, int | None]]  # (measure code, part counted; None: every row)
    part: np.ndarray | None = None  # int8 per used row: its part (1, 2, ...), 0 for none
    median: str | None = None  # measure code of the rows' median wait, if wanted
    wait: np.ndarray | None = None  # int64 per used row


def _families(
    *,
    wanted: dict[str, str],
    part: np.ndarray | None,
    ref_week,
    contact,
    contact_ok,
    closed,
    closed_ok,
    ref,
    use,
) -> list[_Family]:
    """What each measure counts, over the used rows: referrals (received, and accepted,
    signposted and rejected as parts of them) by week of referral; first contacts and their
    waits by week of first contact; closures by week of closure."""
    out: list[_Family] = []
    everyone = np.ones(len(ref_week), bool)
    counts: list[tuple[str, int | None]] = []
    if "referrals_received" in wanted:
        counts.append((wanted["referrals_received"], None))
    if part is not None:
        for i, name in enumerate(OUTCOME_PARTS, start=1):
            if f"referrals_{name}" in wanted:
                counts.append((wanted[f"referrals_{name}"], i))
    if counts:
        out.append(_Family(ref_week, everyone, counts, part=part))
    if contact is not None and ("first_contacts" in wanted or "median_wait_days" in wanted):
        seen = contact_ok[use]
        family = _Family(iso_monday(contact[use]), seen, [])
        if "first_contacts" in wanted:
            family.counts.append((wanted["first_contacts"], None))
        if "median_wait_days" in wanted:
            family.median = wanted["median_wait_days"]
            family.wait = (contact[use] - ref[use]).astype("int64")
        out.append(family)
    if closed is not None and "closures" in wanted:
        out.append(_Family(iso_monday(closed[use]), closed_ok[use], [(wanted["closures"], None)]))
    return out


def _grouped_figures(
    *,
    site: np.ndarray,
    site_labels: np.ndarray,
    families: list[_Family],
    groupings: list[tuple[Grouping, np.ndarray]],
) -> pd.DataFrame | None:
    """Weekly figures per site and group, with the same definitions and the same weeks as the
    ungrouped ones: counts zero-filled over the site's weeks for every group the site's
    referrals include, medians only where a group has a wait that week. `site` holds each
    used row's index into `site_labels`. Integer keys and bincount keep this a handful of
    passes over the rows per grouping, whatever the number of groups or measures: the
    referral counts are one bincount with the outcome as a last axis."""
    if not len(site):
        return None
    n_sites = len(site_labels)
    site = site.astype(np.int64, copy=False)
    days = [_day_numbers(f.week) for f in families]
    firsts = [int(d[f.rows].min()) for d, f in zip(days, families, strict=True) if f.rows.any()]
    if not firsts:
        return None
    day0 = min(firsts)  # a Monday: every week is
    # What every grouping shares, per family: its rows, each one's site and week as one
    # number, the span of weeks of each site, and for medians the rows in order of site, week
    # and wait.
    prepared = []
    for d, family in zip(days, families, strict=True):
        if not family.rows.any():
            continue
        idx = None if family.rows.all() else np.flatnonzero(family.rows)
        wk = (d if idx is None else d[idx]) - day0
        wk //= 7
        n_weeks = int(wk.max()) + 1
        base = (site if idx is None else site[idx]) * n_weeks + wk
        if family.median is not None and family.wait is not None:
            # rows in order of site and week, then of wait: each grouping then only needs
            # a (radix) sort by group to bring each key's rows together, waits in order
            order = _stable_order(family.wait if idx is None else family.wait[idx])
            order = order[_stable_order(base[order])]
            idx = order if idx is None else idx[order]
            base = base[order]
        seen = np.bincount(base, minlength=n_sites * n_weeks).reshape(n_sites, n_weeks) > 0
        in_span = _in_span(seen)
        part = None
        if family.part is not None and any(p is not None for _, p in family.counts):
            part = (family.part if idx is None else family.part[idx]).astype(np.int64)
        wait = None
        if family.median is not None and family.wait is not None:
            wait = family.wait if idx is None else family.wait[idx]
        prepared.append((family, idx, base, n_weeks, in_span, part, wait))
    frames: list[_Figures] = []
    for grouping, gcodes in groupings:
        n_groups = len(grouping.groups)
        present = np.zeros((n_sites, n_groups), bool)
        present[site, gcodes] = True
        for family, idx, base, n_weeks, in_span, part, wait in prepared:
            size = n_sites * n_weeks * n_groups
            shape = (day0, n_weeks)
            group = gcodes if idx is None else gcodes[idx]
            key = base * n_groups
            key += group

            if family.counts:
                keep = np.flatnonzero((in_span[:, :, None] & present[:, None, :]).ravel())
                if part is None:
                    total = np.bincount(key, minlength=size)
                    by_part = None
                else:
                    wanted_parts = [p for _, p in family.counts if p is not None]
                    n_parts = max(int(part.max()) if len(part) else 0, *wanted_parts) + 1
                    by_part = np.bincount(key * n_parts + part, minlength=size * n_parts)
                    by_part = by_part.reshape(size, n_parts)
                    total = by_part.sum(axis=1)
                for code, p in family.counts:
                    n = (total if p is None or by_part is None else by_part[:, p])[keep]
                    frames.append(
                        _figure_frame(shape, code, grouping, keep, n.astype("float64"), n)
                    )
            if family.median is not None and wait is not None and len(key):
                # rows are in order of (site, week, wait): a stable sort by group makes each
                # key's rows one run (of one group, one site and week), its waits in order
                order = _stable_order(group)
                k, w = key[order], wait[order]
                starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
                sizes = np.diff(np.r_[starts, len(k)])
                value = (w[starts + (sizes - 1) // 2] + w[starts + sizes // 2]) / 2.0
                frames.append(
                    _figure_frame(shape, family.median, grouping, k[starts], value, sizes)
                )
    if not frames:
        return None
    return _figures_frame(frames, site_labels)


@dataclass
class _Figures:
    """Figures of one measure and grouping: per figure its site (an index into the sites'
    labels), week (days since 1970), group (an index into the grouping's groups), value and
    how many referrals it describes."""

    measure: str
    by: str
    site: np.ndarray
    day: np.ndarray
    group: np.ndarray
    value: np.ndarray
    records: np.ndarray


def _figure_frame(
    shape: tuple[int, int],
    code: str,
    grouping: Grouping,
    flat: np.ndarray,
    value: np.ndarray,
    n: np.ndarray,
) -> _Figures:
    """Figures of one measure and grouping from their flat (site, week, group) keys."""
    day0, n_weeks = shape
    n_groups = len(grouping.groups)
    s_i, rest = np.divmod(flat, n_weeks * n_groups)
    w_i, g_i = np.divmod(rest, n_groups)
    return _Figures(code, grouping.by, s_i, day0 + 7 * w_i, g_i, value, n)


def _figures_frame(parts: list[_Figures], site_labels: np.ndarray) -> pd.DataFrame:
    """All the figures per group as one frame, its label columns categorical (the store
    reads their codes; 700,000 labels as text took 0.1 s a column to factorise again)."""
    lengths = [len(p.value) for p in parts]
    measures = list(dict.fromkeys(p.measure for p in parts))
    site = np.concatenate([p.site for p in parts])
    labels = pd.Index(site_labels)
    return pd.DataFrame(
        {
            "site": (
                np.asarray(site_labels, dtype=object)[site]
                if labels.hasnans or not labels.is_unique
                else pd.Categorical.from_codes(site, categories=labels)
            ),
            "period": np.concatenate([p.day for p in parts]).astype("datetime64[D]"),
            "measure": pd.Categorical.from_codes(
                np.repeat([measures.index(p.measure) for p in parts], lengths),
                categories=measures,
            ),
            "by": pd.Categorical.from_codes(
                np.repeat([BY_LABELS.index(p.by) for p in parts], lengths), categories=BY_LABELS
            ),
            "group": pd.Categorical.from_codes(
                np.concatenate([group_codes(p.by)[p.group] for p in parts]),
                categories=GROUP_LABELS,
            ),
            "value": np.concatenate([p.value for p in parts]).astype("float64"),
            "records": np.concatenate([p.records for p in parts]).astype("int64"),
        }
    )


def _in_span(seen: np.ndarray) -> np.ndarray:
    """(site, week) cells from each site's first week with a row to its last (`seen`: sites x
    weeks, whether any row falls there): the cells counts are zero-filled over."""
    n_weeks = seen.shape[1]
    has = seen.any(axis=1)
    first = np.where(has, seen.argmax(axis=1), n_weeks)
    last = np.where(has, n_weeks - 1 - seen[:, ::-1].argmax(axis=1), -1)
    weeks = np.arange(n_weeks)
    return (weeks[None, :] >= first[:, None]) & (weeks[None, :] <= last[:, None])


def _day_numbers(dates: np.ndarray) -> np.ndarray:
    """Days since 1970 of datetime64 values: a view, not a copy, of dates already in days."""
    if dates.dtype == np.dtype("datetime64[D]"):
        return dates.view(np.int64)
    return dates.astype("datetime64[D]").astype(np.int64)


def _stable_order(values: np.ndarray) -> np.ndarray:
    """argsort, stable; small non-negative integers as uint16, which numpy radix-sorts."""
    if len(values) and values.min() >= 0 and values.max() < 2**16:
        return np.argsort(values.astype(np.uint16), kind="stable")
    return np.argsort(values, kind="stable")


def _bad_group_message(grouping: Grouping, classified: Classified, i: int) -> str:
    return (
        f"'{classified.bad_text[classified.raw_codes[i]]}' is not an allowed {grouping.title} "
        f"value (allowed: {grouping.allowed})"
    )
