"""Actions a person starts with a phone number on a screen and confirms with a texted code."""
