"""Anonymous speak-up: concerns raised without an account, followed with a case code."""
