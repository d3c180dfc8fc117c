"""What the settings and first-run windows ask of the integration beyond the Backend: checks and CRM account actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class BindingRow:
    """One extension and the CRM user who owns its call logs."""

    extension: str
    crm_user: str
    """`Name <e-mail>`, or empty when unbound."""
    how: str
    """`email`, `manual`, `sign-in` (embedded: the user's own CRM sign-in) or empty (unbound)."""
    problem: str = ""
    """Why it is unbound, in a sentence."""


class IntegrationActions(Protocol):
    """Account actions the settings window and the first-run window call; each raises BackendError
    with a sentence the user can act on."""

    async def check_pbx(self, url: str, client_id: str, secret: str) -> str:
        """Log in to the PBX with these credentials; returns what was found (model, firmware)."""
        ...

    async def check_gateway(self, url: str) -> str:
        """Reach the site gateway and sign in; returns what was found."""
        ...

    def save_pbx_secret(self, secret: str) -> None:
        """Store the Open API Client Secret in the keyring."""
        ...

    def has_pbx_secret(self) -> bool:
        """Whether a Client Secret is stored."""
        ...

    async def authorize_crm(self) -> str:
        """Run the CRM's browser sign-in (OAuth); returns the signed-in account."""
        ...

    async def set_crm_enabled(self, enabled: bool) -> None:
        """Disable (every setting kept) or enable the CRM integration again."""
        ...

    async def disconnect_crm(self) -> None:
        """Clear the CRM settings and tokens; contacts synced to the PBX stay and become editable."""
        ...

    async def bindings(self) -> list[BindingRow]:
        """The extensions and the CRM users bound to them."""
        ...
