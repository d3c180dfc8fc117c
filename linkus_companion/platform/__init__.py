"""OS integration: single instance, autostart, URL handlers, notifications."""
