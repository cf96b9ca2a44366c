"""The managers' console (in English: it is for staff who run the networks)."""
