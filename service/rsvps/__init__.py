"""RSVPs: who is going to which occurrence of an event."""
