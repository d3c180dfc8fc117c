"""Gateway mode: one PBX connection and one CRM integration for a whole site, and its desktop client."""
