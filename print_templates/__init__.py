"""ReportLab layouts for the sheets of a noticeboard pack; they share style.py."""
