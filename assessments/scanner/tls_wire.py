"""Just enough of the TLS wire format to ask a server "would you pick one of these cipher suites?".

Why hand-built ClientHellos instead of the `ssl` module: the OpenSSL 3 linked here (and on any
current server we run on) cannot even *offer* RC4, single DES, 3DES, EXPORT suites or SSLv3, so a
handshake-based probe could only ever answer "cannot test" for exactly the weaknesses that matter
most. A server's ServerHello names the suite it picked from the ones offered, which is all we need:
the probe reads the server's first flight (ServerHello, and the ServerKeyExchange for the key
exchange's strength) and hangs up. No keys are derived, nothing is encrypted. This is how sslyze
(with its bundled legacy OpenSSL) and testssl.sh (`--ssl-native` off) answer the same question.

TLS 1.3 is not probed here: its five suites are all AEAD with forward secrecy, and the `ssl`
module already tells whether it is accepted.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from dataclasses import dataclass

SSL3, TLS10, TLS11, TLS12 = 0x0300, 0x0301, 0x0302, 0x0303
VERSION_NAMES = {SSL3: "SSLv3", TLS10: "TLSv1.0", TLS11: "TLSv1.1", TLS12: "TLSv1.2"}

_HANDSHAKE, _ALERT = 0x16, 0x15
_CLIENT_HELLO, _SERVER_HELLO, _CERTIFICATE, _SERVER_KEY_EXCHANGE, _SERVER_HELLO_DONE = 1, 2, 11, 12, 14
#: x25519, secp256r1, secp384r1, secp521r1 (and the weak secp224r1/secp192r1 a legacy server may pick)
_GROUPS = (0x001D, 0x0017, 0x0018, 0x0019, 0x0015, 0x0013)
GROUP_NAMES = {
    0x001D: ("X25519", 253),
    0x001E: ("X448", 448),
    0x0017: ("secp256r1", 256),
    0x0018: ("secp384r1", 384),
    0x0019: ("secp521r1", 521),
    0x0015: ("secp224r1", 224),
    0x0013: ("secp192r1", 192),
}
#: ECDSA, RSA-PSS and RSA PKCS#1 with SHA-2, then the SHA-1 ones a legacy server may need
_SIGNATURE_ALGORITHMS = (
    0x0403,
    0x0503,
    0x0603,
    0x0807,
    0x0804,
    0x0805,
    0x0806,
    0x0401,
    0x0501,
    0x0601,
    0x0203,
    0x0201,
    0x0202,
)
_MAX_FLIGHT_BYTES = 256 * 1024


@dataclass(frozen=True)
class ServerChoice:
    """What the server answered to one ClientHello."""

    #: the ServerHello's version and suite; None: the server refused (alert or hang-up)
    version: int | None = None
    cipher: int | None = None
    #: ephemeral key exchange strength when the ServerKeyExchange was read: "DH 1024", "X25519"…
    kex_group: str | None = None
    kex_bits: int | None = None
    refusal: str | None = None

    @property
    def accepted(self) -> bool:
        return self.cipher is not None


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def _u16_list(values: tuple[int, ...] | list[int]) -> bytes:
    return b"".join(struct.pack("!H", v) for v in values)


def client_hello(*, version: int, ciphers: list[int], server_name: str | None) -> bytes:
    """One TLS record holding a ClientHello that offers exactly `ciphers` at `version` (max)."""
    extensions = b""
    if server_name:
        name = server_name.encode("idna")
        entry = b"\x00" + struct.pack("!H", len(name)) + name
        extensions += _extension(0x0000, struct.pack("!H", len(entry)) + entry)
    if version >= TLS10:
        groups = _u16_list(_GROUPS)
        extensions += _extension(0x000A, struct.pack("!H", len(groups)) + groups)  # supported_groups
        extensions += _extension(0x000B, b"\x01\x00")  # ec_point_formats: uncompressed
        extensions += _extension(0x0017, b"")  # extended_master_secret
    if version >= TLS12:
        algorithms = _u16_list(_SIGNATURE_ALGORITHMS)
        extensions += _extension(0x000D, struct.pack("!H", len(algorithms)) + algorithms)
    extensions += _extension(0xFF01, b"\x00")  # renegotiation_info (secure renegotiation)
    suites = _u16_list([*ciphers, 0x00FF][: 0xFFFE // 2])
    body = (
        struct.pack("!H", version)
        + os.urandom(32)
        + b"\x00"  # no session id
        + struct.pack("!H", len(suites))
        + suites
        + b"\x01\x00"  # compression: null only
        + struct.pack("!H", len(extensions))
        + extensions
    )
    handshake = struct.pack("!B", _CLIENT_HELLO) + len(body).to_bytes(3, "big") + body
    record_version = min(version, TLS10)  # what real clients put on the first record
    return struct.pack("!BHH", _HANDSHAKE, record_version, len(handshake)) + handshake


class _Reader:
    """Reads TLS records from a socket until a deadline; hands out handshake messages."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self.sock, self.deadline = sock, deadline
        self.buffer = b""
        self.handshake = b""
        self.total = 0

    def _recv_exact(self, count: int) -> bytes | None:
        while len(self.buffer) < count:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or self.total > _MAX_FLIGHT_BYTES:
                return None
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(16384)
            except (TimeoutError, OSError):
                return None
            if not chunk:
                return None
            self.buffer += chunk
            self.total += len(chunk)
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def next_message(self) -> tuple[int, bytes] | str:
        """(type, body) of the next handshake message, or a string saying why there is none."""
        while len(self.handshake) < 4 or len(self.handshake) < 4 + int.from_bytes(self.handshake[1:4], "big"):
            header = self._recv_exact(5)
            if header is None:
                return "connection closed"
            kind, _version, length = struct.unpack("!BHH", header)
            payload = self._recv_exact(length)
            if payload is None:
                return "connection closed"
            if kind == _ALERT:
                return f"alert {payload[1]}" if len(payload) > 1 else "alert"
            if kind != _HANDSHAKE:
                return f"unexpected record type {kind}"
            self.handshake += payload
        length = int.from_bytes(self.handshake[1:4], "big")
        kind, body = self.handshake[0], self.handshake[4 : 4 + length]
        self.handshake = self.handshake[4 + length :]
        return kind, body


def _parse_server_hello(body: bytes) -> tuple[int, int]:
    version = struct.unpack("!H", body[:2])[0]
    session_length = body[34]
    cipher = struct.unpack("!H", body[35 + session_length : 37 + session_length])[0]
    return version, cipher


def _parse_key_exchange(body: bytes, *, ecdhe: bool) -> tuple[str, int] | None:
    """The group of an (EC)DHE ServerKeyExchange: ("DH", bits of p) or (curve name, bits)."""
    if ecdhe:
        if len(body) < 3 or body[0] != 3:  # 3: named_curve
            return None
        curve = struct.unpack("!H", body[1:3])[0]
        return GROUP_NAMES.get(curve, (f"curve 0x{curve:04x}", 0))
    if len(body) < 2:
        return None
    p_length = struct.unpack("!H", body[:2])[0]
    prime = body[2 : 2 + p_length].lstrip(b"\x00")
    return "DH", int.from_bytes(prime, "big").bit_length()


def offer(
    sock: socket.socket,
    *,
    version: int,
    ciphers: list[int],
    server_name: str | None,
    timeout: float,
    kex: str | None = None,
) -> ServerChoice:
    """Send one ClientHello on a connected socket and read the server's choice.

    `kex` ("ECDHE"/"DHE") asks for the ServerKeyExchange too, to measure the ephemeral group; pass
    it only when every offered suite uses that key exchange.
    """
    deadline = time.monotonic() + timeout
    try:
        sock.settimeout(timeout)
        sock.sendall(client_hello(version=version, ciphers=ciphers, server_name=server_name))
    except OSError as exc:
        return ServerChoice(refusal=f"{type(exc).__name__}: {exc}")
    reader = _Reader(sock, deadline)
    message = reader.next_message()
    if isinstance(message, str):
        return ServerChoice(refusal=message)
    kind, body = message
    if kind != _SERVER_HELLO or len(body) < 38:
        return ServerChoice(refusal=f"unexpected handshake message {kind}")
    try:
        server_version, cipher = _parse_server_hello(body)
    except (struct.error, IndexError):
        return ServerChoice(refusal="malformed ServerHello")
    if cipher not in ciphers:
        return ServerChoice(refusal=f"server picked 0x{cipher:04x}, which was not offered")
    choice = ServerChoice(version=server_version, cipher=cipher)
    if kex is None:
        return choice
    while True:
        message = reader.next_message()
        if isinstance(message, str) or message[0] == _SERVER_HELLO_DONE:
            return choice
        if message[0] == _SERVER_KEY_EXCHANGE:
            group = _parse_key_exchange(message[1], ecdhe=kex == "ECDHE")
            if group is None:
                return choice
            return ServerChoice(version=server_version, cipher=cipher, kex_group=group[0], kex_bits=group[1])
        if message[0] not in (_CERTIFICATE, 22):  # 22: CertificateStatus (stapled OCSP)
            return choice
