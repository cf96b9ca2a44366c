"""Public web pages for personal phones and browsers."""
