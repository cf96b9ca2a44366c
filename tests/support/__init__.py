"""Test helpers, imported by tests and conftest files alike; no test imports a conftest."""
