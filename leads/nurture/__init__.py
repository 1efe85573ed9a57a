"""Nurture e-mail: sequences of e-mails that leads who agreed to marketing get after a fact
(a form, a score band, a finished assessment), with one-click unsubscribe and every stop rule.

`models` holds the tables (imported by `leads.models`), `templating` the sandboxed template
language staff write steps in, `services` every state change (enrol, stop, unsubscribe, send),
`views` the public unsubscribe page, `admin` the sequence and enrolment pages.
"""
