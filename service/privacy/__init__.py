"""Data protection: subject access, erasure at Twilio, retention and the data map."""
