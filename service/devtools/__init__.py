"""Developer tools: the phone simulator (only with FRONTLINE_DEV_TOOLS on)."""
