"""The PDF report (reportlab): what a CISO forwards to their team."""

from .pdf import render_report

__all__ = ["render_report"]
