"""Local HTTP and HTTPS servers for end-to-end scans (loopback only), with trustme certificates."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pytest_httpserver import HTTPServer

GOOD_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
GOOD_PAGE = "<!doctype html><html><head><title>Acme</title></head><body><h1>Acme</h1></body></html>"


def free_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    return context


def self_signed_context(tmp_path: Path, host: str = "localhost") -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "self.pem", tmp_path / "self.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


@contextmanager
def running(server: HTTPServer) -> Iterator[HTTPServer]:
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


# --- TLS depth: servers configured deliberately weak or strong -------------------------------------

#: RFC 2409's 1024-bit MODP group ("Oakley group 2"): a public, weak Diffie-Hellman group (Logjam range)
MODP_1024 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF",
    16,
)


def tls_context(
    tmp_path: Path,
    cert_pems: list[bytes],
    key_pem: bytes,
    *,
    ciphers: str | None = None,
    minimum: ssl.TLSVersion | None = None,
    maximum: ssl.TLSVersion | None = None,
    dh_prime: int | None = None,
) -> ssl.SSLContext:
    """A server context sending exactly `cert_pems` (leaf first), with the chosen suites and versions."""
    import warnings

    from cryptography.hazmat.primitives.asymmetric import dh

    cert_path, key_path = tmp_path / "chain.pem", tmp_path / "leaf.key"
    cert_path.write_bytes(b"".join(cert_pems))
    key_path.write_bytes(key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    if ciphers:
        context.set_ciphers(ciphers)  # first: @SECLEVEL=0 is what lets a 1024-bit DH group load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TLS 1.0 and finite-field DH are deprecated: that is the point
        if minimum:
            context.minimum_version = minimum
        if maximum:
            context.maximum_version = maximum
        if dh_prime:
            params = dh.DHParameterNumbers(dh_prime, 2).parameters()
            dh_path = tmp_path / "dh.pem"
            dh_path.write_bytes(
                params.parameter_bytes(serialization.Encoding.PEM, serialization.ParameterFormat.PKCS3)
            )
            context.load_dh_params(str(dh_path))
    return context


def leaf_pems(leaf: trustme.LeafCert) -> tuple[list[bytes], bytes]:
    """(certificate chain PEMs leaf first, private key PEM) of a trustme leaf."""
    return [blob.bytes() for blob in leaf.cert_chain_pems], leaf.private_key_pem.bytes()


def issue_leaf(
    issuer: trustme.CA, host: str, *, ca_issuers_url: str | None = None, ocsp_url: str | None = None
) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a leaf for `host` signed by `issuer`, with an AIA extension
    naming where its issuer can be downloaded and/or its OCSP responder (trustme sets neither)."""
    issuer_cert = x509.load_pem_x509_certificate(issuer.cert_pem.bytes())
    issuer_key = serialization.load_pem_private_key(issuer.private_key_pem.bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    access = []
    if ca_issuers_url:
        access.append(
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(ca_issuers_url)
            )
        )
    if ocsp_url:
        access.append(
            x509.AccessDescription(
                x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url)
            )
        )
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(issuer_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False
        )
    )
    if access:
        builder = builder.add_extension(x509.AuthorityInformationAccess(access), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


class ScriptedTlsServer:
    """A loopback server that answers a ClientHello the way a legacy server would, and hangs up.

    The OpenSSL 3 here cannot serve RC4, DES, 3DES, EXPORT or SSLv3, so these are recorded answers:
    if the hello offers one of `suites` at a version in `versions`, a ServerHello picking it comes
    back (exactly what such a server sends first); otherwise a handshake_failure alert."""

    def __init__(self, *, suites: set[int], versions: set[int]) -> None:
        import threading

        self.suites, self.versions = suites, versions
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                with suppress(OSError):
                    conn.sendall(self._answer(self._read_hello(conn)))

    @staticmethod
    def _read_hello(conn: socket.socket) -> bytes:
        data = b""
        while len(data) < 5 or len(data) < 5 + int.from_bytes(data[3:5], "big"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
        return data[5:]

    def _answer(self, hello: bytes) -> bytes:
        version = int.from_bytes(hello[4:6], "big")
        offset = 6 + 32
        offset += 1 + hello[offset]
        length = int.from_bytes(hello[offset : offset + 2], "big")
        offered = [int.from_bytes(hello[i : i + 2], "big") for i in range(offset + 2, offset + 2 + length, 2)]
        chosen = next((s for s in offered if s in self.suites), None)
        agreed = max((v for v in self.versions if v <= version), default=None)
        if chosen is None or agreed is None:
            return bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 40])
        body = agreed.to_bytes(2, "big") + bytes(32) + b"\x00" + chosen.to_bytes(2, "big") + b"\x00"
        message = b"\x02" + len(body).to_bytes(3, "big") + body
        return bytes([0x16]) + agreed.to_bytes(2, "big") + len(message).to_bytes(2, "big") + message

    def close(self) -> None:
        self.listener.close()
