"""Engine fixtures: a HubSpot emulator with a connector holding its admin grant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from engine_rig import FixedGrant

from linkus_companion.crm.base import AccessGrant
from linkus_companion.crm.hubspot import HubSpotConnector
from linkus_companion.sim.hubspot import HubSpotEmulator


@dataclass
class Crm:
    emulator: HubSpotEmulator
    connector: HubSpotConnector
    client: httpx.AsyncClient
    grants: FixedGrant

    def searches(self) -> int:
        """Search requests the emulator has answered so far."""
        return sum(1 for x in self.emulator.traffic if x.path.endswith("/search"))


@pytest.fixture
async def crm() -> AsyncIterator[Crm]:
    async with HubSpotEmulator(seed=False) as emulator, httpx.AsyncClient(timeout=10) as client:
        grant = AccessGrant(emulator.admin_token, emulator.base_url, {"hub_id": str(emulator.hub_id)})
        grants = FixedGrant(grant)
        connector = HubSpotConnector(client, grants, hub_id=str(emulator.hub_id))
        yield Crm(emulator, connector, client, grants)
