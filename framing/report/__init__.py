"""The PDF report and its figures, built from a results folder (or a Results object) only.

>>> from framing.report import build_report
>>> build_report("reports/seed", "reports/seed/report.pdf")   # doctest: +SKIP
"""
from .build import build_report

__all__ = ["build_report"]
