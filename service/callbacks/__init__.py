"""Callback requests: a member asks a network lead to call them."""
