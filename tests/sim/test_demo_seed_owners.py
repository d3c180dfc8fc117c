"""The demo's customers are owned by its agents in each CRM's own data model, read back as a real CRM does."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkus_companion.demo import demo_world
from linkus_companion.phone import parse
from linkus_companion.sim import scenario


@pytest.mark.parametrize("kind", ["hubspot", "salesforce", "zoho"])
async def test_each_seed_customer_is_owned_by_a_queue_agent(kind: str, tmp_path: Path) -> None:
    async with demo_world(kind, tmp_path, lambda _line: None) as world:
        connector = world.host.connector
        users = {u.id: u for u in await connector.list_users()}
        for n, (first, last, presented, _stored) in enumerate(scenario.KNOWN):
            (record,) = await connector.search_by_phone(parse(presented))
            agent = scenario.AGENTS[n % len(scenario.AGENTS)]
            assert record.display_name == f"{first} {last}"
            assert record.owner_id == world.people.users[agent], f"{record.display_name}'s owner"
            assert users[record.owner_id].email == world.pbx.directory.extensions[agent].email_addr
