"""Keyring entries a deployment may pre-fill for a user (service `linkus-companion`)."""

from __future__ import annotations

PBX_SECRET = "pbx.client_secret"  # noqa: S105 - a keyring entry name
"""The PBX Open API Client Secret (embedded mode only; a gateway keeps it off desktops)."""
CRM_SECRET = "crm.client_secret"  # noqa: S105 - a keyring entry name
"""The CRM OAuth app's client secret, for CRMs whose token endpoint needs one (HubSpot)."""
DEPLOYABLE = (PBX_SECRET, CRM_SECRET)
