"""Charts of a measure: one home for their drawing, words, pages and the writes behind them.

- ``figures``: the analysis result -> plotly figure dicts and CSV rows (pure, no Django);
- ``services``: settings, adjustments, notes, shares, and the rebuild that stores a ChartState;
- ``selectors``: reads of chart states, settings, adjustments, notes and shares;
- ``views`` and ``forms``: the chart, settings and comparison pages.

Importing this package imports nothing: pure callers (benchmarks, the toolkit's annotations) stay
free of Django.
"""
