"""The demo story as plain data, one module per domain; `demo.loaders` turns it into rows."""
