"""Demo data for a fresh development machine (`manage.py seed_demo`).

`demo.specs` holds the story as plain data, one module per domain; `demo.loaders` creates it
through each app's services, so a seeded lead looks exactly like one that came in through the
website (timeline, score and its explanation, deal value, commission)."""
