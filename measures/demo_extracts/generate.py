"""Write the demo sites' weekly extracts, each in the format its informatics team sends.

Run once from the repository root (`python measures/demo_extracts/generate.py`); the files are
committed, and `load_demo` loads them through the same upload path as a real extract.

- NGT: wide .xlsx, title rows above the header, a column per measure, a Total row at the foot.
- RVS: tidy CSV with semicolons, in Windows-1252 (local measure names, en dashes).
- EBK: pivot .xlsx, a row per measure and a column per week.
- WFD: tidy CSV with UK week labels such as "w/c 06-Jan-25".

- NGT also sends a record-level referral extract (one row per referral, pseudonymised) with
  the grouping columns of the equity view: ethnic category, IMD decile, sex, age, THRIVE
  grouping and referral source. Its weekly referrals are the wide workbook's.

Figures are plausible for CAMHS services of each size. Northgate starts a PDSA cycle on its
single point of access 20 weeks before the end: median waits fall and more referrals are
signposted from then on (a deliberate shift for the SPC charts to find). Children from the
most deprived areas (IMD deciles 1-2) wait about three weeks longer than the rest until its
third cycle (12 weeks before the end), after which the gap all but closes: a narrowing the
equity view's gap chart finds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WEEKS = 52
# The Monday of the last complete week when the files were generated.
LAST_WEEK = dt.date(2026, 11, 16)
PDSA_WEEKS_BEFORE_END = 20
GAP_CLOSES_WEEKS_BEFORE_END = 12
FIRST_WEEK = LAST_WEEK - dt.timedelta(weeks=WEEKS - 1)
WEEK_STARTS = [FIRST_WEEK + dt.timedelta(weeks=i) for i in range(WEEKS)]


def simulate(
    seed: int,
    *,
    referrals: float,
    wait: float,
    signpost: float,
    caseload: int,
    contacts: float,
    dna: float,
    shift: bool = False,
) -> dict[str, list[float]]:
    rng = np.random.default_rng(seed)
    n = WEEKS
    after = np.arange(n) >= n - PDSA_WEEKS_BEFORE_END if shift else np.zeros(n, bool)
    received = rng.poisson(referrals, n)
    signposted = rng.binomial(received, np.where(after, signpost + 0.14, signpost))
    rejected = rng.binomial(received - signposted, 0.09)
    median_wait = np.round(
        np.where(after, wait * 0.66, wait) + rng.normal(0, wait * 0.09, n), 1
    ).clip(5)
    attended = rng.poisson(contacts, n)
    dnas = rng.binomial(attended + rng.poisson(contacts * dna, n), dna)
    closures = rng.poisson(referrals * 0.5, n)
    accepted = received - signposted - rejected
    open_caseload = caseload + np.cumsum(accepted - closures - rng.poisson(1.5, n))
    return {
        "referrals_received": received.tolist(),
        "referrals_signposted": signposted.tolist(),
        "referrals_rejected": rejected.tolist(),
        "referrals_accepted": accepted.tolist(),
        "median_wait_days": median_wait.tolist(),
        "attended_contacts": attended.tolist(),
        "dnas": dnas.tolist(),
        "closures": closures.tolist(),
        "open_caseload": open_caseload.clip(0).tolist(),
    }


def northgate(path: Path) -> None:
    """Wide workbook as exported from the trust's EPR reporting suite."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = simulate(
        11, referrals=32, wait=46, signpost=0.22, caseload=310, contacts=190, dna=0.11, shift=True
    )
    columns = [
        ("Referrals received", "referrals_received"),
        ("Referrals signposted", "referrals_signposted"),
        ("Referrals rejected", "referrals_rejected"),
        ("Median wait to first contact (days)", "median_wait_days"),
        ("Attended contacts", "attended_contacts"),
        ("DNAs", "dnas"),
        ("Open caseload", "open_caseload"),
        ("Closures", "closures"),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "Weekly KPIs"
    ws.append(["Northgate CAMHS - weekly performance report"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"Run date: {LAST_WEEK + dt.timedelta(days=9):%d/%m/%Y}. Source: EPR extract"])
    ws.append([])
    ws.append(["Week commencing", *(label for label, _ in columns)])
    for i, week in enumerate(WEEK_STARTS):
        ws.append([dt.datetime.combine(week, dt.time()), *(data[code][i] for _, code in columns)])
        ws.cell(row=ws.max_row, column=1).number_format = "dd/mm/yyyy"
    ws.append(
        ["Total", *(sum(data[code]) if code != "median_wait_days" else None for _, code in columns)]
    )
    wb.save(path)


def northgate_referrals(path: Path) -> None:
    """Record-level referrals from the same EPR, one row per referral, with grouping columns."""
    data = simulate(
        11, referrals=32, wait=46, signpost=0.22, caseload=310, contacts=190, dna=0.11, shift=True
    )
    rng = np.random.default_rng(111)
    ethnic = rng.choice  # codes weighted roughly as a northern English town's under-18s
    codes = [
        "A",
        "B",
        "C",
        "D",
        "E",
        "F",
        "G",
        "H",
        "J",
        "K",
        "L",
        "M",
        "N",
        "P",
        "R",
        "S",
        "Z",
        "",
    ]
    weights = np.array([62, 1, 4, 1.5, 1, 1, 1.5, 3, 7, 2, 1, 2, 1.5, 0.5, 1, 1.5, 4, 3.5])
    deciles = np.array([18, 14, 11, 10, 9, 8, 8, 8, 7, 7], float)
    sources = ["GP", "School", "Self", "Family", "Health", "Social care", "Voluntary sector", ""]
    groupings = [
        "Getting Advice and Signposting",
        "Getting Help",
        "Getting More Help",
        "Getting Risk Support",
        "Thriving",
    ]
    gap_from = LAST_WEEK - dt.timedelta(weeks=GAP_CLOSES_WEEKS_BEFORE_END)
    seen_by = LAST_WEEK + dt.timedelta(days=6)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "referral_id",
            "site_code",
            "referral_date",
            "outcome",
            "first_contact_date",
            "ethnic_category",
            "imd_decile",
            "sex",
            "age",
            "thrive_grouping",
            "referral_source",
        ]
    )
    ref_no = 0
    for i, week in enumerate(WEEK_STARTS):
        n = int(data["referrals_received"][i])
        outcomes = ["signposted"] * int(data["referrals_signposted"][i]) + ["rejected"] * int(
            data["referrals_rejected"][i]
        )
        outcomes += ["accepted"] * (n - len(outcomes))
        rng.shuffle(outcomes)
        # Waits are reported by the week of first contact, about six weeks on: the referral
        # takes the wait of the week it will be seen in, so the workbook's shift stays put.
        wait = data["median_wait_days"][min(i + 6, WEEKS - 1)]
        for outcome in outcomes:
            ref_no += 1
            referred = week + dt.timedelta(days=int(rng.integers(0, 5)))
            decile = int(rng.choice(10, p=deciles / deciles.sum())) + 1
            days = max(1, int(rng.normal(wait, wait * 0.25)))
            if decile <= 2 and referred + dt.timedelta(days=days) < gap_from:
                days += int(rng.normal(21, 4))  # the gap, until the third cycle
            elif decile <= 2:
                days += int(rng.normal(3, 2))
            contact = referred + dt.timedelta(days=days)
            seen = outcome != "rejected" and contact <= seen_by
            writer.writerow(
                [
                    f"NGT-{ref_no:06d}",
                    "NGT",
                    f"{referred:%d/%m/%Y}",
                    outcome,
                    f"{contact:%d/%m/%Y}" if seen else "",
                    ethnic(codes, p=weights / weights.sum()),
                    decile,
                    rng.choice(["1", "2"], p=[0.46, 0.54]),
                    int(rng.integers(4, 19)),
                    rng.choice(groupings, p=[0.3, 0.35, 0.2, 0.05, 0.1]),
                    rng.choice(sources, p=[0.3, 0.3, 0.08, 0.1, 0.1, 0.07, 0.03, 0.02]),
                ]
            )
    path.write_text(out.getvalue(), encoding="utf-8")


def riverside(path: Path) -> None:
    """Tidy CSV from the council's case management system: semicolons, cp1252."""
    data = simulate(22, referrals=18, wait=24, signpost=0.35, caseload=140, contacts=85, dna=0.14)
    names = {
        "referrals_received": "Requests for support",
        "referrals_signposted": "Advice & signposting given",
        "median_wait_days": "Median days to first contact",
        "attended_contacts": "Contacts – attended",
        "dnas": "Contacts – not attended",
        "closures": "Episodes closed",
        "open_caseload": "Open episodes (end of week)",
    }
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Site", "Week commencing", "Measure", "Value"])
    for i, week in enumerate(WEEK_STARTS):
        for code, name in names.items():
            value = data[code][i]
            writer.writerow(["RVS", week.strftime("%d/%m/%Y"), name, f"{value:g}"])
    path.write_bytes(out.getvalue().encode("cp1252"))


def eastbrook(path: Path) -> None:
    """Pivot workbook kept by the MHST: a row per measure, a column per week."""
    from openpyxl import Workbook

    data = simulate(33, referrals=14, wait=30, signpost=0.30, caseload=95, contacts=60, dna=0.08)
    rows = [
        ("Referrals received", "referrals_received"),
        ("Referrals signposted", "referrals_signposted"),
        ("Median wait to first contact (days)", "median_wait_days"),
        ("Attended contacts", "attended_contacts"),
        ("DNAs", "dnas"),
        ("Closures", "closures"),
    ]
    wb = Workbook()
    ws = wb.active
    ws.title = "EBK weekly"
    ws.append(["Eastbrook Schools MHST weekly activity"])
    ws.append(["Measure", *(dt.datetime.combine(w, dt.time()) for w in WEEK_STARTS)])
    for col in range(2, WEEKS + 2):
        ws.cell(row=2, column=col).number_format = "dd-mmm-yy"
    for label, code in rows:
        ws.append([label, *data[code]])
    wb.save(path)


def westfield(path: Path) -> None:
    """Tidy CSV typed up by the voluntary sector collective, UK 'w/c' week labels."""
    data = simulate(44, referrals=11, wait=12, signpost=0.55, caseload=60, contacts=40, dna=0.16)
    codes = [
        "referrals_received",
        "referrals_signposted",
        "median_wait_days",
        "attended_contacts",
        "dnas",
        "closures",
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["site_code", "week", "measure", "value"])
    for i, week in enumerate(WEEK_STARTS):
        for code in codes:
            writer.writerow(["WFD", f"w/c {week:%d-%b-%y}", code, f"{data[code][i]:g}"])
    path.write_text(out.getvalue(), encoding="utf-8")


FILES = {
    "NGT": ("northgate_weekly_kpis.xlsx", northgate),
    "NGT-records": ("northgate_referrals.csv", northgate_referrals),
    "RVS": ("riverside_weekly.csv", riverside),
    "EBK": ("eastbrook_pivot.xlsx", eastbrook),
    "WFD": ("westfield_weekly.csv", westfield),
}


def last_complete_week(today: dt.date) -> dt.date:
    """The Monday of the last week that ended before `today` (weeks run Monday to Sunday)."""
    return today - dt.timedelta(days=today.weekday() + 7)


def write_all(folder: Path, last_week: dt.date) -> None:
    """The four extracts, the same figures, with the weeks ending at `last_week`: the demo
    loader's way to keep its data up to the last complete week whatever day it runs."""
    global LAST_WEEK, FIRST_WEEK, WEEK_STARTS  # the writers read them
    saved = LAST_WEEK, FIRST_WEEK, WEEK_STARTS
    LAST_WEEK = last_week
    FIRST_WEEK = LAST_WEEK - dt.timedelta(weeks=WEEKS - 1)
    WEEK_STARTS = [FIRST_WEEK + dt.timedelta(weeks=i) for i in range(WEEKS)]
    try:
        for name, write in FILES.values():
            write(folder / name)
    finally:
        LAST_WEEK, FIRST_WEEK, WEEK_STARTS = saved


def main() -> None:
    for name, write in FILES.values():
        write(HERE / name)
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
