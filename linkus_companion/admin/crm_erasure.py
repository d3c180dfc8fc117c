"""`admin delete-recording` in the CRM: a call's uploaded recordings deleted there with the configured sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from linkus_companion.config.settings import Settings
from linkus_companion.engine.policies import Policies
from linkus_companion.engine.recording_erasure import delete_uploaded
from linkus_companion.runtime import NotConfigured, crm_grants, crm_http_client, make_connector
from linkus_companion.secrets import SecretStore
from linkus_companion.store import Store
from linkus_companion.texts import Text


@dataclass(frozen=True)
class SignIn:
    """Whose CRM sign-in the deletion uses: this user's (keyring), or a gateway's (its config file)."""

    settings: Settings
    secrets: SecretStore

    @classmethod
    def of(cls, gateway_config: Path | None) -> SignIn:
        """The gateway's settings and secrets from its configuration file, else this user's."""
        if gateway_config is None:
            return cls(Settings.open(), SecretStore())
        from linkus_companion.gateway.config import load
        from linkus_companion.gateway.server_secrets import ServerSecrets

        config = load(gateway_config)
        return cls(config.open_settings(), ServerSecrets(config.state_dir))


async def delete_in_crm(store: Store, call_id: str, sign_in: SignIn) -> tuple[str, ...]:
    """Delete the call's recordings uploaded to the CRM; their file ids (NotConfigured, CrmError: none deleted)."""
    async with crm_http_client() as client:
        grants = crm_grants(sign_in.settings, client, sign_in.secrets)
        if not grants.connected():
            raise NotConfigured(Text("This profile is not signed in to the CRM."))
        policies = Policies.from_settings(sign_in.settings)
        kind = str(sign_in.settings.get("crm.kind"))
        connector = await make_connector(kind, client, grants, policies.lookup.region, policies.lookup)
        return await delete_uploaded(store, call_id, connector)
