"""The demo website: its publishable key is printed by `make run` for the chat widget and forms."""

DEMO_WEBSITE_NAME = "Demo website"
DEMO_WEBSITE_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")
#: Hosts a browser on this machine uses for a server bound to a loopback or wildcard address.
LOCAL_HOSTS = ("localhost", "127.0.0.1")
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]")  # noqa: S104 - names of bind addresses, not a binding


def demo_origins(*, host: str, port: int) -> list[str]:
    """The origins a browser sends for the demo page served on `host:port` (`make run HOST= PORT=`):
    localhost and 127.0.0.1 for a loopback or wildcard bind, plus the host itself otherwise."""
    hosts = list(LOCAL_HOSTS)
    if host and host not in LOCAL_HOSTS and host not in WILDCARD_HOSTS:
        hosts.append(host)
    return [f"http://{name}:{port}" for name in hosts]


SITE = "http://localhost:8000"  # where the demo pages "are"; matches the demo website's origins
#: How long before now the demo website was "set up": before its first demo event.
WEBSITE_AGE_DAYS = 30
