"""The audit log: who changed, sent or revealed what, and when."""
