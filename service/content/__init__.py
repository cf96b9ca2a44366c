"""The content store and the read API every channel shares."""
