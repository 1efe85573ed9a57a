"""The TLS configuration at a glance, for the admin and the PDF: one row per question a buyer asks.

Reads only the stored `results["tls"]` (what `tls.TlsFacts.to_json` wrote), so old assessments
without the depth facts simply show fewer rows.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

WEAK_FAMILIES = ("NULL", "anonymous", "EXPORT", "DES", "RC4", "3DES", "CBC-SHA1")


def tls_rows(results: dict[str, Any] | None) -> list[tuple[str, str]]:
    """(question, answer) pairs; empty when the scan has no TLS facts."""
    tls = (results or {}).get("tls") or {}
    if not tls or tls.get("certificate") is None:
        return []
    protocols = tls.get("protocols") or {}
    accepted = [v for v, ok in protocols.items() if ok]
    refused = [v for v, ok in protocols.items() if ok is False]
    rows = [
        ("Protocols", f"accepted: {', '.join(accepted) or 'none'}; refused: {', '.join(refused) or 'none'}")
    ]
    depth = tls.get("depth") or {}
    if not depth:
        return rows
    rows += _cipher_rows(depth, protocols)
    rows += _chain_row(depth.get("chain") or {})
    rows.append(_ocsp_row(depth.get("ocsp") or {}))
    if tls.get("elapsed_ms") is not None:
        rows.append(("TLS inspection time", f"{tls['elapsed_ms']} ms"))
    return rows


def _cipher_rows(depth: dict[str, Any], protocols: dict[str, Any]) -> list[tuple[str, str]]:
    """What the cipher-suite probe found: the negotiated suite, weak families, forward secrecy,
    the key exchange and AEAD (TLS 1.3 counts for both forward secrecy and AEAD)."""
    rows = []
    families = depth.get("families") or {}
    if depth.get("negotiated"):
        rows.append(("A current client gets", depth["negotiated"]))
    weak = [f"{family}: {families[family]}" for family in WEAK_FAMILIES if families.get(family)]
    rows.append(("Weak cipher suites accepted", "; ".join(weak) or "none"))
    fs = families.get("ECDHE") or families.get("DHE")
    tls13 = protocols.get("TLSv1.3") is True
    if fs or tls13:
        preferred = families.get("preference") or ""
        prefers = preferred.startswith(("TLS_ECDHE_", "TLS_DHE_")) or not families.get("no forward secrecy")
        rows.append(
            (
                "Forward secrecy",
                "yes" + (", preferred by the server" if prefers else ", but the server does not prefer it"),
            )
        )
    else:
        rows.append(("Forward secrecy", "no"))
    exchanges = []
    if depth.get("ecdhe_group"):
        exchanges.append(f"ECDHE {depth['ecdhe_group']} ({depth.get('ecdhe_bits')} bits)")
    if depth.get("dh_bits"):
        exchanges.append(f"DHE {depth['dh_bits']}-bit group")
    if exchanges:
        rows.append(("Key exchange", "; ".join(exchanges)))
    rows.append(("Authenticated encryption (AEAD)", "yes" if tls13 or families.get("AEAD") else "no"))
    return rows


def _chain_row(chain: dict[str, Any]) -> list[tuple[str, str]]:
    """The certificate chain row, when the probe could tell whether the chain is complete."""
    if chain.get("complete") is True:
        return [("Certificate chain", f"complete ({len(chain.get('presented') or [])} certificate(s) sent)")]
    if chain.get("complete") is False and chain.get("completed_by"):
        return [
            ("Certificate chain", "incomplete: the server does not send " + "; ".join(chain["completed_by"]))
        ]
    if chain.get("complete") is False:
        return [
            ("Certificate chain", f"does not reach a trusted root (missing {chain.get('missing_issuer')})")
        ]
    return []


def _ocsp_row(ocsp: dict[str, Any]) -> tuple[str, str]:
    """The OCSP stapling row (always present once the deep probe ran)."""
    if ocsp.get("stapled"):
        return ("OCSP stapling", f"stapled ({ocsp.get('status')})")
    if ocsp.get("stapled") is False:
        return ("OCSP stapling", "not stapled")
    return ("OCSP stapling", "not applicable (the certificate names no OCSP responder)")


def tls_story(results: dict[str, Any] | None, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The PDF's "TLS configuration" section (nothing when the scan has no TLS facts)."""
    rows = tls_rows(results)
    if not rows:
        return []
    table = Table(
        [[Paragraph(escape(q), styles["small"]), Paragraph(escape(a), styles["small"])] for q, a in rows],
        colWidths=[55 * mm, 125 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f1f3f5")),
            ]
        )
    )
    intro = (
        "How the site's HTTPS endpoint is configured, tested the way SSL Labs does: each protocol version "
        "and each family of cipher suites offered on its own connection, the certificate chain as sent, "
        "and the OCSP staple."
    )
    return [
        Paragraph("TLS configuration", styles["h2"]),
        Paragraph(escape(intro), styles["body"]),
        Spacer(1, 2 * mm),
        table,
    ]
