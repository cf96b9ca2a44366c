"""Reach: counts of joins, leaves, RSVPs, support and call-backs, shown without naming anyone."""
