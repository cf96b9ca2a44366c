"""Voice: the phone line, driven by flows kept as data in ivr_flows/."""
