"""Outbound and inbound messaging: segments, the outbox, sending."""
