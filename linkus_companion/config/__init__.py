"""Settings: schema, layered sources, locks."""
