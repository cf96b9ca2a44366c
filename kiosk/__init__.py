"""The kiosk: a big-button web mode for shared touchscreen PCs at depots and care homes."""
