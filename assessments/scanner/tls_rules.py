"""SSL Labs-style judgement of the TLS depth facts: findings and the grade cap each implies.

Caps follow the SSL Labs rating guide and its later announcements (README, "TLS grade caps"):
SSLv3, NULL, anonymous, EXPORT or single-DES suites, DH under 1024 bits, a revoked staple or an
MD5/SHA-1 signed certificate → F; RC4 or 3DES → C; no forward secrecy, an incomplete chain, DH
under 2048 bits or an elliptic curve under 224 bits → B; no AEAD suite at all → A-. The legacy
TLS 1.0/1.1 cap (B) and the certificate caps stay in `extra.tls_findings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .grading import GRADE_ORDER
from .tls import TlsFacts

if TYPE_CHECKING:
    from .tls_chain import ChainFacts, OcspFacts
    from .tls_depth import TlsDepthFacts

Hit = tuple[str, str]

#: family → (check id, cap)
WEAK_FAMILIES: dict[str, tuple[str, str | None]] = {
    "NULL": ("tls-cipher-null", "F"),
    "anonymous": ("tls-cipher-anonymous", "F"),
    "EXPORT": ("tls-cipher-export", "F"),
    "DES": ("tls-cipher-des", "F"),
    "RC4": ("tls-cipher-rc4", "C"),
    "3DES": ("tls-cipher-3des", "C"),
    "CBC-SHA1": ("tls-cipher-cbc-sha1", None),
}


def worse(cap: str | None, other: str | None) -> str | None:
    """The lower of two caps (None: no cap)."""
    if cap is None or other is None:
        return cap or other
    return cap if GRADE_ORDER.index(cap) >= GRADE_ORDER.index(other) else other


def depth_findings(facts: TlsFacts) -> tuple[list[Hit], str | None]:
    """Findings and the cap for protocol SSLv3, cipher families, forward secrecy, key exchange,
    chain and OCSP. Facts that could not be determined produce nothing. Each step appends its
    findings in report order and returns its own cap; the result is the worst of them."""
    hits: list[Hit] = []
    cap: str | None = None
    if facts.protocols.get("SSLv3"):
        hits.append(("tls-sslv3-accepted", "The server completed an SSLv3 ServerHello."))
        cap = "F"
    depth = facts.depth
    if depth is None:
        return hits, cap
    tls13 = facts.protocols.get("TLSv1.3") is True
    for step_cap in (
        _weak_family_hits(depth, hits),
        _forward_secrecy_hits(depth.families, tls13, hits),
        _aead_hits(depth.families, tls13, hits),
        _key_exchange_hits(depth, hits),
        _chain_hits(depth.chain, hits),
        _ocsp_hits(depth.ocsp, hits),
    ):
        cap = worse(cap, step_cap)
    return hits, cap


def _weak_family_hits(depth: TlsDepthFacts, hits: list[Hit]) -> str | None:
    """NULL, anonymous, EXPORT, DES, RC4, 3DES and CBC-SHA1 suites accepted when offered alone."""
    cap: str | None = None
    for family, (check_id, family_cap) in WEAK_FAMILIES.items():
        if suite := depth.families.get(family):
            version = depth.family_versions.get(family, "")
            hits.append((check_id, f"Accepted {suite} ({version}) when offered only {family} suites."))
            cap = worse(cap, family_cap)
    return cap


def _forward_secrecy_hits(families: dict[str, str | None], tls13: bool, hits: list[Hit]) -> str | None:
    """No forward secrecy at all (cap B), or static-RSA suites preferred or still accepted."""
    fs_suite = families.get("ECDHE") or families.get("DHE")
    non_fs = families.get("no forward secrecy")
    if not tls13 and fs_suite is None and ("ECDHE" in families or "DHE" in families) and non_fs:
        hits.append(
            (
                "tls-no-forward-secrecy",
                f"No ECDHE or DHE suite is accepted and TLS 1.3 is off; key exchange is static, e.g. {non_fs}.",
            )
        )
        return "B"
    if non_fs and fs_suite:
        preferred = families.get("preference")
        if preferred == non_fs or (preferred and not preferred.startswith(("TLS_ECDHE_", "TLS_DHE_"))):
            hits.append(
                (
                    "tls-forward-secrecy-not-preferred",
                    f"Offered static-RSA suites first, the server chose {preferred}: clients that list "
                    f"them first get no forward secrecy (it does accept {fs_suite}).",
                )
            )
        else:
            hits.append(
                (
                    "tls-non-forward-secret-suites",
                    f"Accepted {non_fs} when offered only suites without forward secrecy "
                    f"(the server prefers {preferred}).",
                )
            )
    return None


def _aead_hits(families: dict[str, str | None], tls13: bool, hits: list[Hit]) -> str | None:
    """Neither TLS 1.3 nor an AEAD suite (when the AEAD probe ran and something was accepted)."""
    if not tls13 and "AEAD" in families and families.get("AEAD") is None and any(families.values()):
        hits.append(
            ("tls-no-aead", "Neither TLS 1.3 nor any TLS 1.2 GCM/ChaCha20-Poly1305/CCM suite is accepted.")
        )
        return "A-"
    return None


def _key_exchange_hits(depth: TlsDepthFacts, hits: list[Hit]) -> str | None:
    """DHE groups under 1024 (F) or 2048 bits (B); ECDHE curves under 224 bits (B)."""
    cap: str | None = None
    if depth.dh_bits:
        if depth.dh_bits < 1024:
            hits.append(("tls-weak-key-exchange", f"DHE with a {depth.dh_bits}-bit group (Logjam range)."))
            cap = worse(cap, "F")
        elif depth.dh_bits < 2048:
            hits.append(("tls-weak-key-exchange", f"DHE with a {depth.dh_bits}-bit group (minimum 2048)."))
            cap = worse(cap, "B")
    if depth.ecdhe_bits is not None and 0 < depth.ecdhe_bits < 224:
        hits.append(
            ("tls-weak-key-exchange", f"ECDHE on {depth.ecdhe_group} ({depth.ecdhe_bits} bits; minimum 224).")
        )
        cap = worse(cap, "B")
    return cap


def _chain_hits(chain: ChainFacts | None, hits: list[Hit]) -> str | None:
    """A chain completed only with a cached or downloaded intermediate (B); MD5/SHA-1 signatures (F)."""
    cap: str | None = None
    if chain is None:
        return cap
    if chain.complete is False and chain.completed_by:
        sent = "; ".join(chain.presented) or "nothing"
        hits.append(
            (
                "tls-chain-incomplete",
                f"The server sent: {sent}.\nA trusted root is reached only by adding: "
                + "; ".join(chain.completed_by),
            )
        )
        cap = worse(cap, "B")
    if chain.weak_signatures:
        hits.append(
            (
                "tls-certificate-weak-signature",
                "Signed with a broken hash: " + "; ".join(chain.weak_signatures),
            )
        )
        cap = worse(cap, "F")
    return cap


def _ocsp_hits(ocsp: OcspFacts | None, hits: list[Hit]) -> str | None:
    """A staple saying revoked (F); a responder named but nothing stapled (no cap)."""
    if ocsp is None:
        return None
    if ocsp.status == "revoked":
        hits.append(
            ("tls-certificate-revoked", f"The stapled OCSP response from {ocsp.responder} says: revoked.")
        )
        return "F"
    if ocsp.stapled is False:
        hits.append(
            (
                "tls-ocsp-not-stapled",
                f"The certificate names the OCSP responder {ocsp.responder}, but no response was stapled.",
            )
        )
    return None
