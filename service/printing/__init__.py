"""Noticeboard packs: PDF sheets per site and language, with codes to spot stale ones."""
