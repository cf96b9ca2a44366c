"""E-mail alerts: tell the people who handle call-backs and speak-up cases that one is waiting."""
