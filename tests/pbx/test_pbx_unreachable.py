"""A PBX that cannot be reached is told in our own words, in English and Chinese: what happened on the
wire (refused, hung up, silent, untrusted certificate, not HTTPS), never an exception's name or httpx's text."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import re
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from linkus_companion.pbx.client import PbxClient
from linkus_companion.pbx.errors import PbxError
from linkus_companion.terminal import say
from linkus_companion.texts import text_of
from linkus_companion.tls import TlsFiles, generate

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
FOREIGN = re.compile(
    r"Error|Exception|Timeout|Errno|SSL:|Server disconnected|All connection attempts|Connect call|"
    r"EOF|violation|wrong version|verify failed|Cancelled"
)
"""Exception names and the words httpx, asyncio and OpenSSL put in their errors."""


async def _closing(_reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    """Accepts the connection and hangs up at once."""


async def _silent(reader: asyncio.StreamReader, _writer: asyncio.StreamWriter) -> None:
    """Reads the request and never answers (until the client gives up and hangs up)."""
    await reader.read()


async def _plain_http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A plain HTTP server: answers a TLS hello with an HTTP error."""
    await reader.read(100)
    writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")


@asynccontextmanager
async def _server(handler: Handler, tls: TlsFiles | None = None) -> AsyncIterator[int]:
    """A server on 127.0.0.1 running `handler` for each connection, which is then closed."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls.server_context() if tls else None)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _failure(url: str, ca_file: Path | None = None) -> PbxError:
    async with PbxClient(url, "id", "secret", ca_file=ca_file, timeout=0.5) as pbx:
        with pytest.raises(PbxError) as caught:
            await pbx.token()
    return caught.value


def _check(error: PbxError, english: str, chinese: str) -> None:
    en, zh = say(text_of(error), "en"), say(text_of(error), "zh_CN")
    assert english in en and "127.0.0.1" in en and not FOREIGN.search(en), en
    assert chinese in zh and "127.0.0.1" in zh and not FOREIGN.search(zh), zh
    assert not re.search(r"[A-Za-z]{2,}", re.sub(r"PBX|HTTPS?|https?://|VPN|CA|Linkus Companion", "", zh)), zh


async def test_a_refusing_port_reads_as_refused() -> None:
    error = await _failure(f"http://127.0.0.1:{_free_port()}")
    _check(error, "the connection was refused. Check the address and port", "连接被拒绝")


async def test_a_server_that_hangs_up_reads_as_closed_before_answering(tmp_path: Path) -> None:
    async with _server(_closing) as port:
        _check(
            await _failure(f"http://127.0.0.1:{port}"),
            "the connection dropped. Check that the port",
            "连接已断开",
        )
        _check(
            await _failure(f"https://127.0.0.1:{port}"),
            "the connection dropped. Check that the port",
            "连接已断开",
        )


async def test_a_silent_server_reads_as_no_answer_in_time() -> None:
    async with _server(_silent) as port:
        _check(
            await _failure(f"http://127.0.0.1:{port}"),
            "it did not answer in time. Check that the PBX is running",
            "未及时",
        )


async def test_an_untrusted_certificate_says_what_is_wrong_with_it(tmp_path: Path) -> None:
    tls = generate(tmp_path)
    async with _server(_closing, tls) as port:
        error = await _failure(f"https://127.0.0.1:{port}")  # the system store does not know our CA
        _check(error, "could not be verified (it is signed by an authority", "无法验证")
        other = generate(tmp_path / "other")
        wrong_ca = await _failure(f"https://127.0.0.1:{port}", other.ca_file)
        _check(wrong_ca, "could not be verified", "无法验证")


async def test_a_certificate_for_another_address_or_not_the_pinned_one_says_so(tmp_path: Path) -> None:
    elsewhere = generate(tmp_path, hosts=("pbx.example.com",))
    async with _server(_closing, elsewhere) as port:
        error = await _failure(f"https://127.0.0.1:{port}", elsewhere.ca_file)
        _check(error, "(it was issued for another address)", "它是为另一个地址签发的")
    ours = generate(tmp_path / "ours")
    async with _server(_closing, ours) as port:
        async with PbxClient(
            f"https://127.0.0.1:{port}", "id", "secret", fingerprint="AB" * 32, timeout=2
        ) as pbx:
            with pytest.raises(PbxError) as pinned:
                await pbx.token()
        _check(pinned.value, "(it is not the certificate whose fingerprint is pinned)", "已固定指纹")


def _self_signed(directory: Path, *, expired: bool) -> TlsFiles:
    """A certificate for 127.0.0.1 that signs itself (already expired when `expired`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC) - (dt.timedelta(days=60) if expired else dt.timedelta(0))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "cert.pem", directory / "cert.pem", directory / "key.pem")
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


async def test_a_self_signed_or_expired_certificate_says_which(tmp_path: Path) -> None:
    self_signed = _self_signed(tmp_path / "self", expired=False)
    async with _server(_closing, self_signed) as port:
        _check(await _failure(f"https://127.0.0.1:{port}"), "(it is self-signed)", "它是自签名证书")
    expired = _self_signed(tmp_path / "old", expired=True)
    async with _server(_closing, expired) as port:
        error = await _failure(f"https://127.0.0.1:{port}", expired.ca_file)  # trusted, but out of date
        _check(error, "(it has expired)", "它已过期")


async def test_a_plain_http_port_behind_https_reads_as_not_the_https_port() -> None:
    async with _server(_plain_http) as port:
        _check(await _failure(f"https://127.0.0.1:{port}"), "HTTPS web port", "HTTPS")


def test_a_ca_file_that_cannot_be_used_is_a_setting_to_fix_not_a_crash(tmp_path: Path) -> None:
    from linkus_companion.config.settings import Settings
    from linkus_companion.config.userfile import UserFile
    from linkus_companion.runtime import PBX_SECRET, NotConfigured, pbx_client
    from linkus_companion.secrets import SecretStore

    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("not a certificate")
    for ca_file, why, zh in (
        (tmp_path / "missing.pem", "it does not exist", "它不存在"),
        (not_pem, "PEM", "PEM"),
    ):
        with pytest.raises(ValueError) as refused:
            PbxClient("https://127.0.0.1:8088", "id", "secret", ca_file=ca_file)
        assert why in say(text_of(refused.value), "en") and zh in say(text_of(refused.value), "zh_CN")
        assert not FOREIGN.search(say(text_of(refused.value), "zh_CN"))
    settings = Settings(UserFile(tmp_path / "settings.json"))
    settings.set_user("pbx.url", "https://127.0.0.1:8088")
    settings.set_user("pbx.client_id", "id")
    settings.set_user("pbx.ca_file", str(not_pem))
    secrets = SecretStore()
    secrets.set(PBX_SECRET, "secret")
    with pytest.raises(NotConfigured, match="CA file"):
        pbx_client(settings, secrets)  # the desktop's status says it; the app does not stop
