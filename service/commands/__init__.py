"""Member commands: one registry that the SMS conversation and the phone line dispatch through."""
