"""Contacts: phone numbers (encrypted), their language, discretion and memberships."""
