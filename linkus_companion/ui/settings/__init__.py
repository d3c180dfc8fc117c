"""The settings window: pages generated from the config schema, plus the CRM account and template editor."""
