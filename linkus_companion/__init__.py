"""Linkus Companion: Yeastar P-Series PBX to CRM desktop companion."""

__version__ = "0.1.0"
APP_NAME = "Linkus Companion"
APP_ID = "linkus-companion"
USER_AGENT = f"LinkusCompanion/{__version__}"
