"""ReportLab layouts: the sheets of a noticeboard pack and the subject access export (style.py)."""
