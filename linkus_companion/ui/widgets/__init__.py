"""Reusable widgets that know nothing of the app: timers, pick lists, the dial box."""
