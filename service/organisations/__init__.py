"""Organisations, their Twilio numbers and their sites."""
