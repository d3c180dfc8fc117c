"""Central configuration from a config URL: verified https only, verified bundles only, last good kept."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from linkus_companion import paths
from linkus_companion.admin.keys import generate, load_private
from linkus_companion.admin.signing import sign
from linkus_companion.config.bundle_trust import Trust
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.policy_url import download, refresh
from linkus_companion.config.policy_watch import watch_policies
from linkus_companion.config.provisioning import BundleRefused, public_key_line
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.tls import TlsFiles
from linkus_companion.tls import generate as generate_tls


class BundleServer:
    """An https server on 127.0.0.1 answering every GET with `body`."""

    def __init__(self, tls: TlsFiles) -> None:
        self.body = ""
        self.status = 200
        self._tls = tls
        self.url = ""

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        data = self.body.encode()
        head = f"HTTP/1.1 {self.status} X\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
        writer.write(head.encode() + data)
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> BundleServer:
        self._server = await asyncio.start_server(
            self._answer, "127.0.0.1", 0, ssl=self._tls.server_context()
        )
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"https://127.0.0.1:{port}/linkus.jwt"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()


@pytest.fixture
def tls(tmp_path: Path) -> TlsFiles:
    return generate_tls(tmp_path / "tls")


@pytest.fixture
def ca(tls: TlsFiles) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(tls.ca_file))


@pytest.fixture
async def server(tls: TlsFiles) -> AsyncIterator[BundleServer]:
    async with BundleServer(tls) as running:
        yield running


@pytest.fixture
def signer(tmp_path: Path) -> ed25519.Ed25519PrivateKey:
    key = load_private(generate(tmp_path / "keys").private_file)
    assert isinstance(key, ed25519.Ed25519PrivateKey)
    return key


def lock_trust(key: ed25519.Ed25519PrivateKey, url: str) -> None:
    path = paths.policy_dir() / "managed" / "trust.json"
    path.parent.mkdir(parents=True)
    data = {"provisioning.public_keys": [public_key_line(key.public_key())], "provisioning.url": url}
    path.write_text(json.dumps(data))


async def test_the_config_url_bundle_is_downloaded_verified_and_applied(
    server: BundleServer, ca: ssl.SSLContext, signer: ed25519.Ed25519PrivateKey
) -> None:
    lock_trust(signer, server.url)
    server.body = sign({"locked": {"crm.kind": "salesforce"}}, signer, days=7)
    policies = admin_policies(native=[])
    settings = Settings(UserFile(paths.settings_file()), policies.sources)
    assert settings.get("crm.kind") == ""
    changes: list[str] = []
    settings.subscribe(lambda key, _: changes.append(key))
    watcher = asyncio.create_task(watch_policies(settings, policies, trust_store=ca))
    try:
        for _ in range(100):
            if changes:
                break
            await asyncio.sleep(0.02)
    finally:
        watcher.cancel()
    assert changes == ["crm.kind"]
    assert settings.effective("crm.kind")[:3] == ("salesforce", "locked", True)


async def test_a_refused_download_keeps_the_last_good_bundle(
    server: BundleServer, ca: ssl.SSLContext, signer: ed25519.Ed25519PrivateKey, tmp_path: Path
) -> None:
    trust = Trust((public_key_line(signer.public_key()),), server.url)
    cache = tmp_path / "cache.jwt"
    server.body = good = sign({"locked": {"pop.mode": "manual"}}, signer, days=7)
    await refresh(trust, cache, trust_store=ca)
    server.body = good[:-4] + "AAAA"
    with pytest.raises(BundleRefused, match="altered after it was signed"):
        await refresh(trust, cache, trust_store=ca)
    server.status = 404
    with pytest.raises(BundleRefused, match="HTTP 404"):
        await refresh(trust, cache, trust_store=ca)
    assert cache.read_text() == good


async def test_tls_is_always_verified_and_plain_http_refused(server: BundleServer) -> None:
    with pytest.raises(BundleRefused, match="certificate is not trusted on this computer"):
        await download(server.url)  # the system trust store does not know the test CA
    with pytest.raises(BundleRefused, match="must start with https://"):
        await download(server.url.replace("https", "http"))
