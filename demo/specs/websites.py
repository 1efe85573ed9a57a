"""The demo website: its publishable key is printed by `make run` for the chat widget and forms."""

DEMO_WEBSITE_NAME = "Demo website"
DEMO_WEBSITE_ORIGINS = ("http://localhost:8000", "http://127.0.0.1:8000")
SITE = "http://localhost:8000"  # where the demo pages "are"; matches the demo website's origins
#: How long before now the demo website was "set up": before its first demo event.
WEBSITE_AGE_DAYS = 30
