"""The uk_date filter: report dates as the design system writes them."""

from __future__ import annotations

import datetime as dt

from projects.templatetags.nhsuk import uk_date


def test_uk_date_reads_report_dates_as_the_design_system_writes_them():
    assert uk_date("2025-11-24") == "24 Nov 2025"
    assert uk_date(dt.date(2026, 1, 5)) == "5 Jan 2026"
    assert uk_date("not a date") == "not a date"
    assert uk_date(None) == ""
