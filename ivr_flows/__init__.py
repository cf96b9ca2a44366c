"""Voice menus as versioned YAML data (main.yaml, config/voices.yaml), shipped in the package."""
