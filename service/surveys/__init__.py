"""Pulse surveys: questions asked on every channel, answered anonymously by construction."""
