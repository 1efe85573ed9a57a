"""Monitoring of watched targets: the schedule of re-scans, grade and risk history, findings
diffs between consecutive scans, and the sales alert when a watched prospect gets worse.

`diff` and `history` are pure (no database); `selectors` reads, `services` changes state."""
