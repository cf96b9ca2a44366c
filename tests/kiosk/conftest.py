"""The kiosk tests use the shared browser fixtures (tests/browser_fixtures.py)."""
