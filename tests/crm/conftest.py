"""CRM test helpers: load each CRM's harness (skipping a missing one), and approve OAuth in a 'browser'."""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import ssl
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from linkus_companion.sim.browser import approving_browser

KINDS = ("hubspot", "salesforce", "zoho")
HERE = Path(__file__).parent


def load_harness(kind: str) -> ModuleType:
    """`tests/crm/harness_<kind>.py`, or a skip naming who owes it."""
    path = HERE / f"harness_{kind}.py"
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet: the {kind} connector engineer provides it")
    spec = importlib.util.spec_from_file_location(f"crm_harness_{kind}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.asynccontextmanager
async def open_harness(kind: str, tmp_path: Path) -> AsyncIterator[Any]:
    """Enter `make_harness(tmp_path)` whether it is an async context manager or a coroutine returning one."""
    made = load_harness(kind).make_harness(tmp_path)
    if inspect.isawaitable(made):
        made = await made
    async with made as harness:
        yield harness


@pytest.fixture(params=KINDS)
async def harness(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """One running emulator with its connector, for each CRM."""
    async with open_harness(request.param, tmp_path) as running:
        yield running


def emulator_client(emulator: Any, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client that trusts the emulator's CA when it serves TLS (verification stays on)."""
    ca_file = getattr(emulator, "ca_file", None)
    verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=str(ca_file)) if ca_file else True
    return httpx.AsyncClient(verify=verify, timeout=10, **kwargs)


browser = approving_browser
