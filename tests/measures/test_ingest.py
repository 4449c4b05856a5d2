"""Tests for measures.ingest: samples, every bad file, and synthetic variants of each format."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from measures.ingest import (
    IGNORE,
    ParseOptions,
    ParseResult,
    Problem,
    normalise_label,
    parse_extract,
)
from measures.ingest.values import parse_date_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extracts"
TODAY = dt.date(2027, 1, 1)  # after every date in the samples

MEASURES = [
    "referrals_received",
    "referrals_accepted",
    "referrals_signposted",
    "referrals_rejected",
    "median_wait_days",
    "open_caseload",
    "closures",
]
COUNTS = frozenset(MEASURES) - {"median_wait_days"}
SITE_ALIASES = {
    "ngt": "NGT",
    "northgate": "NGT",
    "northgate camhs": "NGT",
    "ebk": "EBK",
    "eastbrook": "EBK",
    "rvs": "RVS",
    "riverside": "RVS",
    "wfd": "WFD",
    "westfield": "WFD",
}


def measure_aliases(**extra: str) -> dict[str, str]:
    aliases = {normalise_label(m): m for m in MEASURES}
    aliases.update(
        {
            "median wait to first contact days": "median_wait_days",
            "refs in": "referrals_received",
        }
    )
    aliases.update({normalise_label(k): v for k, v in extra.items()})
    return aliases


def options(**kw) -> ParseOptions:
    base: dict[str, Any] = {
        "site_aliases": SITE_ALIASES,
        "measure_aliases": measure_aliases(),
        "count_measures": COUNTS,
        "today": TODAY,
    }
    base.update(kw)
    return ParseOptions(**base)


def parse(data: bytes | str, name: str = "upload.csv", **kw) -> ParseResult:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_extract(data, name, options(**kw))


def parse_fixture(name: str, **kw) -> ParseResult:
    return parse_extract((FIXTURES / name).read_bytes(), name, options(**kw))


def value_of(result: ParseResult, site: str, period: str, measure: str) -> float:
    obs = result.observations
    hit = obs[(obs.site == site) & (obs.period == pd.Timestamp(period)) & (obs.measure == measure)]
    assert len(hit) == 1, hit
    return float(hit.value.iloc[0])


def codes(result: ParseResult) -> list[str]:
    return [p.code for p in result.problems]


def only_problem(result: ParseResult, code: str) -> Problem:
    matching = [p for p in result.problems if p.code == code]
    assert matching, [str(p) for p in result.problems]
    return matching[0]


def xlsx(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula, not a formula
        if title in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def mondays(start: str, n: int) -> list[dt.date]:
    first = dt.date.fromisoformat(start)
    return [first + dt.timedelta(weeks=i) for i in range(n)]


# ---------------------------------------------------------------- samples


def test_tidy_weekly_sample():
    r = parse_fixture("long_weekly_all_sites.csv")
    assert r.ok, [str(p) for p in r.problems]
    assert (r.layout, r.frequency) == ("tidy", "weekly")
    obs = r.observations
    assert len(obs) == 1248
    assert set(obs.site) == {"NGT", "EBK", "RVS", "WFD"}
    assert set(obs.measure) == set(MEASURES) - {"referrals_accepted"}
    assert obs.period.min() == pd.Timestamp("2025-01-06")
    assert (obs.period.dt.day_of_week == 0).all()
    assert value_of(r, "NGT", "2025-01-13", "median_wait_days") == 49.4
    assert value_of(r, "WFD", "2025-12-29", "closures") == 32
    assert obs.row.iloc[0] == 2
    assert list(obs.columns)[:6] == ["site", "period", "measure", "value", "sheet", "row"]
    assert obs.value.dtype == np.float64


def test_monthly_sample():
    r = parse_fixture("monthly_eastbrook.csv")
    assert r.ok
    assert (r.layout, r.frequency) == ("tidy", "monthly")
    assert len(r.observations) == 24
    assert set(r.observations.site) == {"EBK"}
    assert value_of(r, "EBK", "2024-01-01", "referrals_received") == 171
    assert (r.observations.period.dt.day == 1).all()


def test_wide_sample_with_title_rows_and_total_row():
    r = parse_fixture("wide_weekly_northgate.xlsx")
    assert r.ok, [str(p) for p in r.problems] + [u.label for u in r.unmapped]
    assert (r.layout, r.frequency) == ("wide", "weekly")
    assert r.sheets == ["Weekly KPIs"]
    obs = r.observations
    # 52 weeks x 6 measures; the Total row is skipped, the site comes from the title row
    assert len(obs) == 52 * 6
    assert set(obs.site) == {"NGT"}
    assert value_of(r, "NGT", "2025-01-06", "referrals_received") == 34
    assert value_of(r, "NGT", "2025-12-29", "closures") == 21
    assert value_of(r, "NGT", "2025-01-13", "median_wait_days") == 49.4
    first = obs[(obs.period == "2025-01-06") & (obs.measure == "referrals_received")]
    assert first.row.iloc[0] == 5
    assert first.sheet.iloc[0] == "Weekly KPIs"
    assert any("total" in n for n in r.notes)


def test_records_sample_derives_weekly_measures():
    r = parse_fixture("referrals_records_sample.csv")
    assert r.ok, [str(p) for p in r.problems[:5]]
    assert (r.layout, r.frequency) == ("records", "weekly")
    obs = r.observations
    assert set(obs.site) == {"NGT", "EBK", "RVS", "WFD"}
    assert set(obs.measure) == {
        "referrals_received",
        "referrals_accepted",
        "referrals_signposted",
        "referrals_rejected",
        "median_wait_days",
        "closures",
    }
    # independent computation with plain pandas
    raw = pd.read_csv(FIXTURES / "referrals_records_sample.csv", parse_dates=[2, 5, 6])
    raw["week"] = raw.referral_date.dt.to_period("W-SUN").dt.start_time
    received = raw.groupby(["site_code", "week"]).size()
    got = obs[obs.measure == "referrals_received"].set_index(["site", "period"]).value
    assert got.sum() == len(raw) == 5000
    assert got[("NGT", pd.Timestamp("2025-03-03"))] == received[("NGT", pd.Timestamp("2025-03-03"))]
    acc = raw[raw.outcome == "accepted"]
    assert obs[obs.measure == "referrals_accepted"].value.sum() == len(acc)
    seen = raw.dropna(subset=["first_contact_date"]).copy()
    seen["wait"] = (seen.first_contact_date - seen.referral_date).dt.days
    seen["cweek"] = seen.first_contact_date.dt.to_period("W-SUN").dt.start_time
    med = seen.groupby(["site_code", "cweek"]).wait.median()
    key = med.index[10]
    assert value_of(r, key[0], str(key[1].date()), "median_wait_days") == med.iloc[10]
    assert obs[obs.measure == "closures"].value.sum() == raw.closure_date.notna().sum()


def test_records_only_produce_configured_measures():
    aliases = {"referrals received": "referrals_received", "closures": "closures"}
    r = parse_fixture("referrals_records_sample.csv", measure_aliases=aliases)
    assert set(r.observations.measure) == {"referrals_received", "closures"}


def test_records_with_future_closure_dates_are_noted_and_not_counted():
    """A forward-dated closure has not happened yet: the extract is accepted, the closure is not
    counted and the report names the first such row."""
    r = parse_fixture("referrals_records_sample.csv", today=dt.date(2026, 11, 26))
    assert r.problems == []
    note = next(n for n in r.notes if "closure_date" in n)
    assert note.startswith("2 record(s) have a 'closure_date' after today")
    assert "None" not in note  # a CSV has no sheet name to give
    closures = r.observations[r.observations.measure == "closures"]
    assert closures.period.max() <= pd.Timestamp("2026-11-26")


def test_records_with_a_future_referral_date_are_problems():
    text = (
        "referral_id,site,referral_date,outcome\n"
        "R1,NGT,10/02/2025,accepted\n"
        "R2,NGT,10/02/2030,accepted\n"
    )
    r = parse(text, today=dt.date(2026, 11, 26))
    p = only_problem(r, "future_date")
    assert p.column == "referral_date"
    assert p.row == 3


def test_records_first_contact_before_referral():
    text = (
        "referral_id,site,referral_date,outcome,first_contact_date\n"
        "R1,NGT,10/02/2025,accepted,03/02/2025\n"
        "R2,NGT,10/02/2025,accepted,17/02/2025\n"
        "R2,NGT,11/02/2025,rejected,\n"
    )
    r = parse(text)
    assert r.layout == "records"
    p = only_problem(r, "date_order")
    assert p.row == 2
    assert p.column == "first_contact_date"
    dup = only_problem(r, "duplicate")
    assert dup.row == 4
    assert "row 3" in dup.reason


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("name", "code", "row", "column", "words"),
    [
        ("bad_date.csv", "impossible_date", 2, "week_commencing", "31/02/2025"),
        ("duplicate_week.csv", "duplicate", 3, "value", "row 2"),
        ("empty.csv", "empty_file", None, None, "empty"),
        ("formula_injection.csv", "formula_injection", 2, "measure", "formula"),
        ("header_only.csv", "header_only", 1, None, "no data rows"),
        ("negative_count.csv", "negative_value", 2, "value", "-3"),
        ("non_numeric_value.csv", "non_numeric", 2, "value", "'forty' is not a number"),
        ("not_a_spreadsheet.xlsx", "not_a_spreadsheet", None, None, "PDF"),
        ("unknown_site.csv", "unknown_site", 2, "site_code", "'ZZZ'"),
    ],
)
def test_bad_file(name, code, row, column, words):
    r = parse_fixture(f"bad/{name}")
    assert not r.ok
    p = only_problem(r, code)
    assert p.row == row
    assert p.column == column
    assert words in p.reason
    assert p.file == name
    text = str(p)
    assert text.startswith(name)
    if row is not None:
        assert f"row {row}" in text
    if column is not None:
        assert f"column '{column}'" in text


def test_not_a_spreadsheet_message_is_exact():
    r = parse_fixture("bad/not_a_spreadsheet.xlsx")
    assert str(r.problems[0]).startswith(
        "not_a_spreadsheet.xlsx is not an Excel workbook: it looks like a PDF document"
    )


def test_bad_date_message_names_the_month():
    r = parse_fixture("bad/bad_date.csv")
    assert "February 2025 has 28 days" in r.problems[0].reason


def test_duplicate_reports_both_rows():
    r = parse_fixture("bad/duplicate_week.csv")
    p = only_problem(r, "duplicate")
    assert "row 3" in p.reason
    assert "row 2" in p.reason
    assert r.observations.empty  # neither copy is offered for storage


def test_problem_str_format():
    p = Problem("wide.xlsx", "Northgate", 14, "Referrals", "'forty' is not a number", "non_numeric")
    assert (
        str(p)
        == "wide.xlsx, sheet 'Northgate', row 14, column 'Referrals': 'forty' is not a number"
    )
    assert str(Problem("a.csv", None, 2, None, "x", "c")) == "a.csv, row 2: x"


# ---------------------------------------------------------------- encodings and delimiters


def test_semicolon_cp1252():
    text = "Site;Week commencing;Metric;Count\nNorthgate;06/01/2025;Refs in;1,234\n"
    text += "Northgate;13/01/2025;Referrals received;12\n"
    text = "Rapport généré – £ Northgate\n" + text
    r = parse(text.encode("cp1252"), "export.csv")
    assert r.ok, [str(p) for p in r.problems]
    assert len(r.observations) == 2
    assert value_of(r, "NGT", "2025-01-13", "referrals_received") == 12
    # row numbers count the title row
    assert sorted(r.observations.row) == [3, 4]


def test_utf8_bom_semicolon_with_thousands_and_percent():
    text = (
        "\ufeffsite_code;week_commencing;measure;value\n"
        'NGT;2025-01-06;open_caseload;"1,306"\n'
        "NGT;2025-01-06;referrals_signposted;45%\n"
    )
    r = parse(text.encode("utf-8"), "bom.csv")
    assert r.ok, [str(p) for p in r.problems]
    assert value_of(r, "NGT", "2025-01-06", "open_caseload") == 1306
    assert value_of(r, "NGT", "2025-01-06", "referrals_signposted") == 45


def test_tab_separated():
    text = "site\tweek\tmeasure\tvalue\nEBK\t06-Jan-25\tclosures\t7\nEBK\t13-Jan-25\tclosures\t8\n"
    r = parse(text, "export.tsv")
    assert r.ok
    assert len(r.observations) == 2
    assert value_of(r, "EBK", "2025-01-13", "closures") == 8


def test_utf16_tab_unicode_text_export():
    text = "site\tweek\tmeasure\tvalue\r\nEBK\t06/01/2025\tclosures\t7\r\n"
    r = parse(text.encode("utf-16"), "unicode.txt")
    assert r.ok, [str(p) for p in r.problems]
    assert value_of(r, "EBK", "2025-01-06", "closures") == 7


def test_pipe_delimited_with_other_column_names():
    text = "Locality|W/C|Indicator|Figure|Notes\nRiverside|w/c 06-Jan-25|Closures|5|ok\n"
    r = parse(text)
    assert r.ok, [str(p) for p in r.problems]
    assert value_of(r, "RVS", "2025-01-06", "closures") == 5


def test_csv_content_with_xlsx_name_is_read_by_content():
    r = parse("site,week,measure,value\nNGT,2025-01-06,closures,3\n", "really_csv.xlsx")
    assert r.ok
    assert len(r.observations) == 1


# ---------------------------------------------------------------- layouts


def test_pivot_csv_with_wc_headers():
    text = (
        "Northgate CAMHS weekly pivot\n"
        "\n"
        "Measure,w/c 06-Jan-25,w/c 13-Jan-25,w/c 20-Jan-25,Total\n"
        "Referrals received,34,21,34,89\n"
        "Closures,17,18,19,54\n"
        "Grand total,51,39,53,143\n"
    )
    r = parse(text, "pivot.csv")
    assert r.ok, [str(p) for p in r.problems]
    assert (r.layout, r.frequency) == ("pivot", "weekly")
    assert len(r.observations) == 6
    assert value_of(r, "NGT", "2025-01-20", "closures") == 19
    assert set(r.observations.row) == {4, 5}


def test_pivot_xlsx_with_datetime_headers_and_site_column():
    weeks = [dt.datetime.combine(d, dt.time()) for d in mondays("2025-03-03", 4)]
    data = xlsx(
        {
            "Pivot": [
                ["Site", "Measure", *weeks],
                ["Northgate", "Referrals received", 1, 2, 3, 4],
                ["Eastbrook", "Referrals received", 5, 6, 7, 8],
                ["Eastbrook", "Closures", 1, None, 1, 0],
            ]
        }
    )
    r = parse(data, "pivot.xlsx")
    assert r.ok, [str(p) for p in r.problems]
    assert r.layout == "pivot"
    assert len(r.observations) == 11  # one blank cell skipped
    assert value_of(r, "EBK", "2025-03-24", "referrals_received") == 8


def test_monthly_pivot_with_month_labels():
    text = "Indicator,Jan-24,Feb-24,Mar-24\nReferrals received,171,155,161\n"
    r = parse(text, "monthly_pivot.csv", default_site="EBK")
    assert r.ok
    assert (r.layout, r.frequency) == ("pivot", "monthly")
    assert value_of(r, "EBK", "2024-03-01", "referrals_received") == 161


def test_sheet_per_site_workbook():
    rows = {}
    for site in ("Northgate", "Eastbrook", "Riverside"):
        rows[site] = [["Week commencing", "Referrals received", "Closures"]] + [
            [d.strftime("%d/%m/%Y"), 10 + i, i] for i, d in enumerate(mondays("2025-01-06", 5))
        ]
    rows["Notes"] = [["Figures are provisional"]]
    r = parse(xlsx(rows), "by_site.xlsx")
    assert r.ok, [str(p) for p in r.problems]
    assert r.layout == "wide"
    assert set(r.observations.site) == {"NGT", "EBK", "RVS"}
    assert len(r.observations) == 3 * 5 * 2
    assert r.sheets == ["Northgate", "Eastbrook", "Riverside", "Notes"]


def test_sheet_per_measure_workbook_with_site_columns():
    weeks = mondays("2025-01-06", 3)
    rows = {
        "Referrals received": [["Week", "Northgate", "Eastbrook", "Total"]]
        + [[d.isoformat(), 1, 2, 3] for d in weeks],
        "Closures": [["Week", "Northgate", "Eastbrook", "Total"]]
        + [[d.isoformat(), 4, 5, 9] for d in weeks],
    }
    r = parse(xlsx(rows), "by_measure.xlsx")
    assert r.ok, [str(p) for p in r.problems]
    assert len(r.observations) == 12
    assert value_of(r, "EBK", "2025-01-20", "closures") == 5


def test_hidden_sheet_is_skipped():
    good = [["Week", "Closures"], ["06/01/2025", 3]]
    r = parse(
        xlsx({"Northgate": good, "Lookup": [["Week", "Closures"], ["x", "y"]]}, hidden=("Lookup",)),
        "h.xlsx",
    )
    assert r.ok
    assert len(r.observations) == 1
    assert any("hidden" in n for n in r.notes)


def test_wide_csv_with_title_rows_total_row_blank_rows_and_footnote():
    text = (
        "Eastbrook weekly report,,\n"
        "Run date: 03/01/2026,,\n"
        ",,\n"
        "Week commencing,Referrals received,Closures\n"
        "06/01/2025,10,2\n"
        ",,\n"
        "13/01/2025,11,3\n"
        "Total,21,5\n"
        ",,\n"
        "Source: EPR extract; figures are provisional,,\n"
    )
    r = parse(text, "wide.csv")
    assert r.ok, [str(p) for p in r.problems]
    assert set(r.observations.site) == {"EBK"}
    assert sorted(r.observations.row.unique()) == [5, 7]


def test_wide_without_site_uses_default_site():
    text = "Week,Closures\n06/01/2025,3\n"
    r = parse(text, "nosite.csv", default_site="WFD")
    assert r.ok
    assert set(r.observations.site) == {"WFD"}


def test_wide_without_any_site_is_a_problem():
    r = parse("Week,Closures\n06/01/2025,3\n", "nosite.csv")
    p = only_problem(r, "missing_site")
    assert "which site" in p.reason


def test_excel_serial_dates_in_csv_and_xlsx():
    r = parse("Week,Closures\n45663,3\n45670,4\n", "serial.csv", default_site="NGT")
    assert r.ok
    assert value_of(r, "NGT", "2025-01-13", "closures") == 4
    r = parse(xlsx({"Northgate": [["Week", "Closures"], [45663, 3], [45670, 4]]}), "serial.xlsx")
    assert r.ok
    assert value_of(r, "NGT", "2025-01-06", "closures") == 3


def test_serial_dates_as_pivot_headers():
    r = parse("Measure,45663,45670\nClosures,3,4\n", "p.csv", default_site="NGT")
    assert r.layout == "pivot"
    assert r.ok
    assert value_of(r, "NGT", "2025-01-13", "closures") == 4


def test_week_ending_dates_go_to_the_monday():
    text = "site,week_ending,measure,value\nNGT,12/01/2025,closures,3\nNGT,19/01/2025,closures,4\n"
    r = parse(text)
    assert r.ok
    assert sorted(r.observations.period) == [pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")]


def test_week_ending_label_in_cells_and_friday_ends():
    text = "Measure,W/E 10/01/2025,W/E 17/01/2025\nClosures,1,2\n"
    r = parse(text, default_site="NGT")
    assert set(r.observations.period) == {pd.Timestamp("2025-01-06"), pd.Timestamp("2025-01-13")}


def test_week_commencing_sunday_goes_to_following_monday():
    text = "site,w/c,measure,value\nNGT,05/01/2025,closures,3\n"
    r = parse(text)
    assert r.observations.period.iloc[0] == pd.Timestamp("2025-01-06")


def test_month_end_dates_are_monthly():
    text = "site,date,measure,value\nEBK,31/01/2024,closures,3\nEBK,29/02/2024,closures,4\n"
    r = parse(text)
    assert r.frequency == "monthly"
    assert sorted(r.observations.period) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]


# ---------------------------------------------------------------- mapping


def test_unmapped_column_then_reparse_with_alias():
    text = "Week,Closures,DNAs\n06/01/2025,3,5\n13/01/2025,4,6\n"
    first = parse(text, "w.csv", default_site="NGT")
    assert not first.ok
    assert not first.problems
    assert [u.normalised for u in first.unmapped] == ["dnas"]
    u = first.unmapped[0]
    assert (u.label, u.where, u.row, u.column, u.occurrences) == ("DNAs", "column", 1, "DNAs", 2)
    assert len(first.observations) == 2  # the known column still parses
    second = parse(
        text, "w.csv", default_site="NGT", measure_aliases=measure_aliases(dnas="dna_count")
    )
    assert second.ok
    assert len(second.observations) == 4
    assert value_of(second, "NGT", "2025-01-13", "dna_count") == 6


def test_ignore_alias_skips_a_column():
    text = "Week,Closures,Target\n06/01/2025,3,5\n"
    r = parse(text, default_site="NGT", measure_aliases=measure_aliases(target=IGNORE))
    assert r.ok
    assert len(r.observations) == 1


def test_text_only_unknown_column_is_not_unmapped():
    text = "Week,Closures,Comments\n06/01/2025,3,quiet week\n"
    r = parse(text, default_site="NGT")
    assert r.ok


def test_tidy_unknown_measure_goes_to_unmapped_or_problem():
    text = "site,week,measure,value\nNGT,06/01/2025,Did not attend,4\nNGT,06/01/2025,123,5\n"
    r = parse(text)
    assert [u.label for u in r.unmapped] == ["Did not attend"]
    p = only_problem(r, "unknown_measure")
    assert p.row == 3
    assert "'123'" in p.reason


def test_unmapped_pivot_row_label():
    r = parse("Measure,06/01/2025,13/01/2025\nDNA rate %,4,5\n", default_site="NGT")
    assert r.unmapped[0].where == "row"
    assert r.unmapped[0].normalised == "dna rate percent"


def test_normalise_label():
    assert normalise_label("  Referrals_Received ") == "referrals received"
    assert (
        normalise_label("Median wait to first contact (days)")
        == "median wait to first contact days"
    )
    assert normalise_label("W/C") == "w c"
    assert normalise_label("DNA %") == "dna percent"
    assert normalise_label("A&E") == "a and e"
    assert normalise_label("Refs\u00a0 in") == "refs in"


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "label",
    ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-SUM(1,2)", "=1+2"],
)
def test_formula_injection_in_site_and_header(label):
    r = parse(
        f'site,week,measure,value\n"{label.replace(chr(34), chr(34) * 2)}",06/01/2025,closures,1\n'
    )
    p = only_problem(r, "formula_injection")
    assert p.row == 2
    assert p.column == "site"
    r = parse(xlsx({"Northgate": [["Week", label], ["06/01/2025", 1]]}), "f.xlsx")
    assert only_problem(r, "formula_injection").column == label


def test_negative_and_dash_labels_are_not_formulas():
    r = parse("Measure,06/01/2025\n- Closures,3\n", default_site="NGT")
    assert "formula_injection" not in codes(r)


def test_signed_measures_may_be_negative():
    text = "site,week,measure,value\nNGT,06/01/2025,caseload_change,-3\n"
    aliases = measure_aliases(caseload_change="caseload_change")
    assert "negative_value" in codes(parse(text, measure_aliases=aliases))
    r = parse(text, measure_aliases=aliases, signed_measures=frozenset({"caseload_change"}))
    assert r.ok


def test_fractional_count():
    r = parse("site,week,measure,value\nNGT,06/01/2025,closures,2.5\n")
    assert only_problem(r, "fractional_count").row == 2


def test_future_week():
    text = (
        "site,week,measure,value\nNGT,2026-12-07,closures,1\nNGT,2026-12-07,referrals_received,1\n"
    )
    r = parse(text, today=dt.date(2026, 11, 26))
    p = only_problem(r, "future_period")
    assert p.row == 2
    assert "07/12/2026" in p.reason
    assert "1 more" in p.reason
    assert codes(r) == ["future_period"]


def test_current_week_is_not_future():
    r = parse("site,week,measure,value\nNGT,2026-11-23,closures,1\n", today=dt.date(2026, 11, 26))
    assert r.ok


def test_too_many_rows():
    body = "".join(f"NGT,{d.isoformat()},closures,1\n" for d in mondays("2020-01-06", 20))
    r = parse("site,week,measure,value\n" + body, max_rows=10)
    p = only_problem(r, "too_many_rows")
    assert "10" in p.reason
    assert r.observations.empty


def test_too_many_rows_xlsx():
    rows = [["Week", "Closures"]] + [[d.isoformat(), 1] for d in mondays("2020-01-06", 30)]
    r = parse(xlsx({"Northgate": rows}), "big.xlsx", max_rows=10)
    assert "too_many_rows" in codes(r)


def test_zip_bomb_is_refused_before_opening():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 100_000
    r = parse_extract(data, "bomb.xlsx", options(max_uncompressed_bytes=5 * 1024 * 1024))
    p = only_problem(r, "too_large")
    assert "MB" in p.reason
    # with the default limit, the compression ratio alone refuses it
    r = parse_extract(data, "bomb.xlsx", options())
    assert "expands" in only_problem(r, "too_large").reason


def test_every_problem_is_reported_and_capped():
    body = "".join(f"NGT,{d.isoformat()},closures,bad\n" for d in mondays("2020-01-06", 250))
    r = parse("site,week,measure,value\n" + body, max_problems=200)
    assert len(r.problems) == 201
    assert r.problems[-1].code == "more_problems"
    assert "50 more" in r.problems[-1].reason
    assert [p.row for p in r.problems[:3]] == [2, 3, 4]


def test_many_problems_of_different_kinds_in_one_file():
    text = (
        "site,week,measure,value\n"
        "NGT,06/01/2025,closures,forty\n"
        "ZZZ,06/01/2025,closures,1\n"
        "NGT,31/02/2025,closures,1\n"
        "NGT,13/01/2025,closures,#REF!\n"
        "NGT,20/01/2025,closures,-1\n"
    )
    r = parse(text)
    assert sorted(codes(r)) == sorted(
        ["non_numeric", "unknown_site", "impossible_date", "excel_error", "negative_value"]
    )
    assert [p.row for p in r.problems] == [2, 3, 4, 5, 6]


def test_missing_values_and_suppression_are_skipped():
    text = "Week,Closures,Referrals received\n06/01/2025,*,3\n13/01/2025,,n/a\n20/01/2025,-,4\n"
    r = parse(text, default_site="NGT")
    assert r.ok
    assert len(r.observations) == 2


def test_not_a_date_message():
    r = parse("site,week,measure,value\nNGT,next tuesday,closures,1\n")
    p = only_problem(r, "bad_date")
    assert "'next tuesday' is not a date" in p.reason
    assert p.column == "week"


def test_month_thirteen_is_impossible():
    r = parse("site,week,measure,value\nNGT,06/13/2025,closures,1\n")
    assert "no month 13" in only_problem(r, "impossible_date").reason


def test_blank_lines_keep_row_numbers():
    r = parse("site,week,measure,value\n\nNGT,06/01/2025,closures,bad\n")
    assert only_problem(r, "non_numeric").row == 3


def test_duplicate_across_sheets():
    rows = [["Week", "Closures"], ["06/01/2025", 1]]
    r = parse(xlsx({"Northgate": rows, "NGT": rows}), "dup.xlsx")
    p = only_problem(r, "duplicate")
    assert p.sheet == "NGT"
    assert "sheet 'Northgate'" in p.reason


# ---------------------------------------------------------------- file types


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"\x89PNG\r\n\x1a\n....", "chart.xlsx", "PNG image"),
        (b"<!DOCTYPE html><html><table></table></html>", "export.xls", "web page"),
        (b"%PDF-1.4 x", "report.csv", "is not a CSV file: it looks like a PDF"),
    ],
)
def test_wrong_content(data, name, words):
    r = parse_extract(data, name, options())
    assert words in only_problem(r, "not_a_spreadsheet").reason


def test_word_document_named_xlsx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    r = parse_extract(buf.getvalue(), "minutes.xlsx", options())
    assert "Word document" in only_problem(r, "not_a_spreadsheet").reason


def test_damaged_xls():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    r = parse_extract(data, "old.xls", options())
    assert only_problem(r, "unreadable_file").reason.startswith("old.xls")


def test_empty_workbook_and_header_only_workbook():
    r = parse(xlsx({"Sheet1": []}), "empty.xlsx")
    assert codes(r) == ["empty_file"]
    r = parse(xlsx({"Northgate": [["Week", "Closures"]]}), "head.xlsx")
    p = only_problem(r, "header_only")
    assert p.sheet == "Northgate"
    assert p.row == 1


def test_whitespace_only_file_is_empty():
    assert codes(parse(" \r\n\r\n", "blank.csv")) == ["empty_file"]


def test_unrecognised_table():
    r = parse("foo,bar\nbaz,qux\n", "odd.csv")
    assert codes(r) == ["no_layout"]


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06/01/2025", dt.date(2025, 1, 6)),
        ("6/1/25", dt.date(2025, 1, 6)),
        ("06-Jan-25", dt.date(2025, 1, 6)),
        ("w/c 06-Jan-25", dt.date(2025, 1, 6)),
        ("W/C 6 January 2025", dt.date(2025, 1, 6)),
        ("Week commencing Monday 6th January 2025", dt.date(2025, 1, 6)),
        ("2025-01-06", dt.date(2025, 1, 6)),
        ("2025-01-06 00:00:00", dt.date(2025, 1, 6)),
        ("06.01.2025", dt.date(2025, 1, 6)),
        ("45663", dt.date(2025, 1, 6)),
        ("2025-W02", dt.date(2025, 1, 6)),
        ("Jan-24", dt.date(2024, 1, 1)),
        ("January 2024", dt.date(2024, 1, 1)),
        ("2024-01", dt.date(2024, 1, 1)),
        ("Sept 2024", dt.date(2024, 9, 1)),
    ],
)
def test_parse_date_text(text, expected):
    assert parse_date_text(text).value == expected


def test_real_datetime_cells():
    assert parse_date_text(dt.datetime(2025, 1, 6, 0, 0)).value == dt.date(2025, 1, 6)
    assert parse_date_text(45663).value == dt.date(2025, 1, 6)
    assert parse_date_text(12).value is None


def test_unquoted_thousands_comma_is_caught():
    r = parse("site,week,measure,value\nNGT,06/01/2025,open_caseload,1,200\n")
    p = only_problem(r, "extra_fields")
    assert p.row == 2
    assert "1,200" in p.reason


def test_trailing_delimiters_are_harmless():
    r = parse("site,week,measure,value,,\nNGT,06/01/2025,closures,1,,\n")
    assert r.ok
    assert len(r.observations) == 1


def test_week_number_column_beside_week_commencing():
    r = parse("Week no,W/C,Closures\n1,06/01/2025,3\n2,13/01/2025,4\n", default_site="NGT")
    assert r.ok
    assert value_of(r, "NGT", "2025-01-13", "closures") == 4


def test_records_from_xlsx_with_other_header_names():
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(
        [
            "Referral ID",
            "Team",
            "Date of referral",
            "Referral outcome",
            "Date of first contact",
            "Discharge date",
        ]
    )
    ws.append(
        ["A1", "Northgate", dt.datetime(2025, 1, 7), "Accepted", dt.datetime(2025, 2, 1), None]
    )
    ws.append(
        ["A2", "Northgate", dt.datetime(2025, 1, 8), "Signposted to school nurse", None, None]
    )
    ws.append(
        [
            "A3",
            "Eastbrook",
            dt.datetime(2025, 1, 20),
            "Not accepted",
            None,
            dt.datetime(2025, 1, 21),
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    r = parse(buf.getvalue(), "records.xlsx")
    assert r.ok, [str(p) for p in r.problems]
    assert r.layout == "records"
    assert value_of(r, "NGT", "2025-01-06", "referrals_received") == 2
    assert value_of(r, "NGT", "2025-01-06", "referrals_signposted") == 1
    assert value_of(r, "EBK", "2025-01-20", "referrals_rejected") == 1
    assert value_of(r, "NGT", "2025-01-27", "median_wait_days") == 25  # by week of first contact
    assert value_of(r, "EBK", "2025-01-20", "closures") == 1


def test_wide_with_site_column_and_month_labels():
    text = "Site,Month,Referrals received\nEastbrook,Jan 2024,3\nEastbrook,Feb 2024,4\nNorthgate,Jan 2024,5\n"
    r = parse(text)
    assert (r.layout, r.frequency) == ("wide", "monthly")
    assert value_of(r, "NGT", "2024-01-01", "referrals_received") == 5


def test_pivot_xlsx_with_blank_corner_and_text_numbers():
    wb = Workbook()
    ws = wb.active
    ws.title = "Eastbrook"
    ws.append([None, dt.datetime(2025, 1, 6), dt.datetime(2025, 1, 13)])
    ws.append(["Referrals received", 3, 4])
    ws.append(["Closures", "1", " 2 "])
    buf = io.BytesIO()
    wb.save(buf)
    r = parse(buf.getvalue(), "p.xlsx")
    assert r.ok
    assert value_of(r, "EBK", "2025-01-13", "closures") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22,2", 22.2),
        ("1234,5", 1234.5),
        ("1,234", 1234.0),
        ("12,345.6", 12345.6),
        ("1 234,5", 1234.5),
        ("45%", 45.0),
        ("(3)", -3.0),
    ],
)
def test_numbers_with_thousands_separators_and_decimal_commas(text, expected):
    from measures.ingest.values import OK, parse_number

    value, status = parse_number(text)
    assert status == OK
    assert value == pytest.approx(expected)


def test_a_comma_that_is_neither_thousands_nor_decimal_is_refused():
    from measures.ingest.values import BAD, parse_number

    assert parse_number("1,2,3")[1] == BAD
    assert parse_number("12,34,567")[1] == BAD


def test_semicolon_file_with_decimal_commas_reads_the_decimals():
    text = "site;week;measure;value\nNGT;06/01/2025;median_wait_days;22,5\n"
    r = parse(text)
    assert r.problems == []
    assert value_of(r, "NGT", "2025-01-06", "median_wait_days") == 22.5


# ---------------------------------------------------------------- long value columns

LONG_SITES = {f"s{i:03d}": f"S{i:03d}" for i in range(100)}


def long_tidy(n: int, odd: dict[int, str]) -> str:
    """A tidy CSV of n plain counts; odd maps a data row index to the text it holds instead."""
    weeks = [f"{d:%d/%m/%Y}" for d in mondays("2010-01-04", n // (100 * len(MEASURES)) + 1)]
    lines = ["site,week commencing,measure,value"]
    k = 0
    for site in LONG_SITES.values():
        for week in weeks:
            for m in MEASURES:
                if k == n:
                    return "\n".join(lines) + "\n"
                lines.append(f"{site},{week},{m},{odd.get(k, k % 500)}")
                k += 1
    raise AssertionError("ask for fewer rows")


@pytest.mark.parametrize(
    ("cell", "value", "code", "reason"),
    [
        ('"1,234"', 1234.0, None, None),
        ("(5)", None, "negative_value", "-5 is negative, but referrals_received cannot be"),
        ("abc", None, "non_numeric", "'abc' is not a number"),
        ("n/a", None, None, None),
        ("-0", 0.0, None, None),
    ],
)
def test_one_odd_cell_late_in_a_long_value_column(cell, value, code, reason):
    # Plain numbers are converted while the CSV is parsed; one cell that is not a plain
    # number, beyond the parser's first chunk of rows, must read exactly as before.
    at = 289_996  # data row index; row 289,998 of the file; measure referrals_received
    r = parse(long_tidy(300_000, {at: cell}), site_aliases=LONG_SITES)
    obs = r.observations
    hit = obs[obs.row == at + 2]
    if code is None:
        assert r.ok, [str(p) for p in r.problems]
    else:
        p = only_problem(r, code)
        assert (p.row, p.column) == (at + 2, "value")
        assert reason in p.reason
        assert len(r.problems) == 1
    if value is None:
        assert hit.empty
        assert len(obs) == 300_000 - 1
    else:
        assert hit.value.tolist() == [value]
        assert not np.signbit(hit.value.iloc[0])  # "-0" in a column of whole numbers is 0
        assert len(obs) == 300_000
    assert obs.loc[obs.row == 2, "value"].tolist() == [0.0]
    assert obs.value.sum() == sum(k % 500 for k in range(300_000) if k != at) + (value or 0)


def test_text_numbers_read_the_same_whichever_cells_they_sit_among():
    from measures.ingest.values import BAD, BLANK, EXCEL_ERROR, OK, to_numbers

    cells = ["12", "1,234", "(5)", "n/a", "", None, "12", "abc", "-0", "2.5", "#DIV/0!", "12"]
    values, status = to_numbers(pd.Series(cells, dtype=object))
    np.testing.assert_array_equal(
        values, [12, 1234, -5, np.nan, np.nan, np.nan, 12, np.nan, 0, 2.5, np.nan, 12]
    )
    assert status.tolist() == [OK, OK, OK, BLANK, BLANK, BLANK, OK, BAD, OK, OK, EXCEL_ERROR, OK]
    # pandas' converter reads "-0" as 0 among whole numbers but as -0.0 among decimals
    assert np.signbit(values[8])
    assert not np.signbit(to_numbers(pd.Series(["12", "-0"], dtype=object))[0][1])


# ---------------------------------------------------------------- sheets without dimensions


def without_dimensions(edit=None) -> bytes:
    """A workbook from openpyxl's write-only mode, whose sheets declare no <dimension>."""
    wb = Workbook(write_only=True)
    for site in ("NGT", "EBK"):
        ws = wb.create_sheet(site)
        ws.append([f"{site} weekly report"])
        ws.append([])
        ws.append(["Week commencing", "referrals_received", "closures"])
        for w, day in enumerate(mondays("2025-01-06", 8)):
            ws.append([dt.datetime.combine(day, dt.time()), w, "#DIV/0!" if w == 5 else w + 1])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if edit is None:
        return data
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            body = src.read(info.filename)
            z.writestr(info.filename, edit(info.filename, body))
    return out.getvalue()


def test_sheets_without_dimensions_are_read_whole():
    data = without_dimensions()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<dimension" not in z.read("xl/worksheets/sheet1.xml")
    r = parse(data, "weekly.xlsx")
    assert (r.layout, r.sheets) == ("wide", ["NGT", "EBK"])
    assert len(r.observations) == 2 * 8 * 2 - 2
    assert value_of(r, "EBK", "2025-02-24", "closures") == 8
    assert [(p.code, p.sheet, p.row, p.column) for p in r.problems] == [
        ("excel_error", "NGT", 9, "closures"),
        ("excel_error", "EBK", 9, "closures"),
    ]


def test_a_damaged_sheet_without_dimensions_is_refused_when_opened():
    # openpyxl reads such a sheet to its end while opening the workbook, so the damage is
    # reported as "could not be opened", as it was before rows were read more quickly.
    def cut(name: str, body: bytes) -> bytes:
        return body[: len(body) * 2 // 3] if name == "xl/worksheets/sheet2.xml" else body

    r = parse(without_dimensions(cut), "weekly.xlsx")
    p = only_problem(r, "unreadable_file")
    # In plain words: the parser's own text ("ParseError: unclosed token") means nothing to
    # the person who sent the file.
    assert p.reason.startswith("weekly.xlsx could not be opened as an Excel workbook: it is")
    assert "Error" not in p.reason


def test_sites_and_measures_come_back_as_categoricals_of_the_codes_in_use():
    text = (
        "site,week commencing,measure,value\n"
        "WFD,06/01/2025,closures,1\n"
        "NGT,06/01/2025,closures,2\n"
        "EBK,06/01/2025,referrals_received,-4\n"  # refused: EBK has no value left
        "NGT,13/01/2025,open_caseload,3\n"
    )
    obs = parse(text).observations
    assert obs.site.dtype == "category"
    assert list(obs.site.cat.categories) == ["NGT", "WFD"]
    assert list(obs.measure.cat.categories) == ["closures", "open_caseload"]
    assert obs.site.tolist() == ["WFD", "NGT", "NGT"]
    assert obs.sort_values(["site", "row"]).row.tolist() == [3, 5, 2]


def test_blank_rows_are_blank_in_every_key_column_whatever_each_column_holds():
    """measures.ingest.layouts._blank_rows: text (empty or spaces only), numbers (NaN) and
    labels read as categories; a row with anything in any column is not blank."""
    import numpy as np
    import pandas as pd

    from measures.ingest.layouts import _blank_rows, _fast_blank

    frame = pd.DataFrame(
        {
            0: pd.Series(["R1", "", "  ", "", "\t", "R6"], dtype=object),
            1: pd.Series([1.0, np.nan, np.nan, 3.0, np.nan, np.nan]),
            2: pd.Series(["GP", "", " ", "", "", ""], dtype="category"),
            3: pd.Series(["", " ", "", "", "", None], dtype=object),
        }
    )
    assert _blank_rows(frame, [0, 1, 2, 3]).tolist() == [False, True, True, False, True, False]
    assert _blank_rows(frame, [3]).tolist() == [True] * 6
    for c in frame.columns:
        assert _fast_blank(frame[c]).tolist() == _blank_rows(frame, [c]).tolist()
