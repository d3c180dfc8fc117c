"""A gateway desktop hears the CRM's health, its own waiting call logs, record owners and typed errors."""

from __future__ import annotations

import httpx
import pytest
from gateway_rig import Site, until

from linkus_companion.backend import BackendError, CrmState, LinkState, Status
from linkus_companion.crm.http import classify_status
from linkus_companion.gateway import protocol
from linkus_companion.sim.hubspot import HubSpotEmulator
from linkus_companion.sim.hubspot_api import Fault
from linkus_companion.texts import Text, text_of


async def test_a_gateway_side_crm_outage_reaches_each_desktop_typed_with_its_own_waiting_logs(
    site: Site,
) -> None:
    world = site.world
    one, two = world.desktops["1001"], world.desktops["1002"]
    assert one.status.crm is CrmState.CONNECTED
    world.crm.set_outage(True)
    call_id = await world.pbx.inbound("+16285559011", "1001", talk=0.05)
    await until(lambda: one.status.crm is CrmState.FAILING and one.status.waiting_logs == 1)
    failing = one.status
    assert isinstance(failing.crm_problem, Text) and "503" in failing.crm_problem
    assert failing.crm_problem.template == world.gateway.hub.status.crm_problem.template
    assert failing.crm_since is not None
    await until(lambda: two.status.crm is CrmState.FAILING)
    assert two.status.waiting_logs == 0, "1002 has no call log waiting: 1001's are not its own"
    ended = [c for c in site.seen["1001"].calls if c.call_id == call_id and c.lookup_error]
    assert ended and isinstance(ended[-1].lookup_error, Text), "the failed lookup is typed on the card"

    world.crm.set_outage(False)
    await until(lambda: f"{call_id}:1001" in site.keys())
    await until(lambda: one.status.crm is CrmState.CONNECTED and one.status.waiting_logs == 0)
    assert one.status.crm_problem == "" and one.status.crm_since is None
    assert site.seen["1001"].statuses[-1] == one.status


async def test_the_card_names_the_owner_and_refusals_arrive_typed(site: Site) -> None:
    world = site.world
    assert isinstance(world.crm, HubSpotEmulator)
    two = world.desktops["1002"]
    owner_id = world.people.users["1001"]
    number = "+16285559012"
    world.crm.seed_record(
        "contacts", {"firstname": "Ona", "lastname": "Own", "phone": number, "hubspot_owner_id": owner_id}
    )
    call_id = await world.pbx.inbound(number, "1001", talk=0.05)
    await until(lambda: any(c.call_id == call_id and c.chosen for c in site.seen["1001"].calls))
    card = [c for c in site.seen["1001"].calls if c.call_id == call_id and c.chosen][-1]
    owner = world.gateway.host.user_names[owner_id]
    assert owner and card.owner_name == owner, "the owner the lookup found, by name"
    with pytest.raises(BackendError) as refused:
        await two.open_in_crm(call_id)
    typed = text_of(refused.value)
    assert isinstance(typed, Text) and typed.template == "That call is not one of this extension's calls."


def test_old_desktops_read_the_status_they_know_and_new_ones_the_typed_sentences() -> None:
    problem = classify_status("HubSpot", httpx.Response(503)).args[0]
    status = Status(LinkState.CONNECTED, CrmState.RATE_LIMITED, crm_kind="hubspot", crm_problem=problem)
    data = protocol.status_json(status)
    assert data["crm"] == "error" and data["crm_problem"] == str(problem), "what an older desktop shows"
    back = protocol.parse_status(data)
    assert back.crm is CrmState.RATE_LIMITED and isinstance(back.crm_problem, Text)
    assert "出错" in back.crm_problem.translated(lambda _c, t: t.replace("failed with", "出错"))
    old = {k: v for k, v in data.items() if not k.endswith("_text") and k != "crm_state"}
    assert protocol.parse_status(old).crm_problem == str(problem)
    hostile = {**data, "crm_problem_text": {"v": 1, "template": "{crm.__class__}", "fields": {"crm": "x"}}}
    assert not isinstance(protocol.parse_status(hostile).crm_problem, Text)
    future = {**data, "crm_problem_text": {"v": 2, "code": "crm.failed"}, "crm_state": "on_fire"}
    parsed = protocol.parse_status(future)
    assert parsed.crm_problem == str(problem) and parsed.crm is CrmState.ERROR


async def test_a_spent_quota_and_a_refused_gateway_sign_in_say_so_and_who_acts(site: Site) -> None:
    world = site.world
    assert isinstance(world.crm, HubSpotEmulator)
    one = world.desktops["1001"]
    quota = Fault(429, policy="DAILY", remaining=10**6)
    world.crm.inject_fault(quota)
    await world.pbx.inbound("+16285559013", "1001", talk=0.05)
    await until(lambda: one.status.crm is CrmState.RATE_LIMITED and one.status.waiting_logs == 1)
    assert isinstance(one.status.crm_problem, Text) and "daily" in one.status.crm_problem
    world.crm.api.faults.remove(quota)

    refused = Fault(401, remaining=10**6)
    world.crm.inject_fault(refused)
    await world.pbx.inbound("+16285559014", "1001", talk=0.05)
    await until(lambda: one.status.crm is CrmState.AUTH_EXPIRED)
    assert one.status.crm_by_gateway, "the tray says the administrator authorises it, not the user"
    problem = one.status.crm_problem
    assert isinstance(problem, Text) and "linkus-companion gateway authorize" in problem
    world.crm.api.faults.remove(refused)


async def test_a_gateway_desktop_hears_whom_its_call_was_transferred_to(site: Site) -> None:
    world = site.world
    call_id = await world.pbx.blind_transfer("+16285559013", "1001", "1002", talk=0.05)
    name = world.pbx.directory.extensions["1002"].caller_id_name

    def handed_on() -> list[tuple[str, str]]:
        return [
            (c.transferred_to, c.transferred_to_name) for c in site.seen["1001"].calls if c.call_id == call_id
        ]

    await until(lambda: ("1002", name) in handed_on())
    assert name and all(to in ("", "1002") for to, _name in handed_on())
