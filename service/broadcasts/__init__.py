"""Broadcasts: one message to an organisation, a site or some networks, fanned out."""
