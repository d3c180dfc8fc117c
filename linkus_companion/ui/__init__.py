"""Qt user interface over the `Backend` protocol and the settings; no HTTP, no SQL.

`widgets/` holds reusable widgets that know nothing of the app; the modules here are the app's
windows (tray, call window, add-to-CRM dialog, settings, first run) and `shell.py` wires them to a
Backend.
"""
