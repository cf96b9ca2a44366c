"""SMS: the keyword service workers text."""
