"""The outbox: every message the service sends on its own initiative, one row per recipient."""
