"""DNS and e-mail security of a target's registrable domain, beyond the Observatory's tests.

SPF, DMARC, MTA-STS (record and policy file), TLS-RPT, CAA, DNSSEC and MX from DNS, and the
site's `/.well-known/security.txt` (RFC 9116). `checks.inspect_domain` gathers the facts, all
lookups at once (a thread pool: a scan's DNS part costs about its slowest lookup), and the
per-family judges (`mail`, `transport`, `zone`, `web`) turn them into findings. A lookup that
fails (timeout, SERVFAIL) makes a "could not check" finding; it never fails the scan.

Our own parsing on dnspython rather than checkdmarc: checkdmarc keeps a process-wide DNS cache
(a re-scan within its lifetime, or a test zone changed under it, reads stale answers), fetches
the MTA-STS policy with its own HTTP client (outside our SSRF guard), reaches resolvers on port
53 only for plain IP entries, and brings seven more dependencies (a second Public Suffix List
among them). The record formats are small and fully specified (RFC 7208, 7489, 8461, 8460, 8659,
9116), so the parsers here are short and tested against a local DNS server.
"""
