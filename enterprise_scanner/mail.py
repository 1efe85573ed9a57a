"""E-mails from a pair of templates: one plain-text body and its HTML alternative.

Every e-mail the product sends has the same shape — `<name>.txt` and `<name>.html` rendered
with one context, a one-line subject, sent at once or at most once (`jobs.mail.send_once`). Kept
in one place so that each e-mail is only its templates, context and subject, and so the subject
is always safe as a header (no line breaks, bounded length) whoever builds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .jobs.mail import send_once

#: Longest subject we send; longer ones (a company name pasted into a form) are cut.
SUBJECT_MAX_LENGTH = 200


def templated_message(
    *, template: str, context: Mapping[str, Any], subject: str, to: Sequence[str]
) -> EmailMultiAlternatives:
    """The e-mail `template` (a path without extension) renders, ready to send or to extend
    (attachments). The HTML part is rendered by Django's autoescaping templates, so every value
    in `context` is shown as text."""
    message = EmailMultiAlternatives(
        subject=subject.replace("\r", " ").replace("\n", " ")[:SUBJECT_MAX_LENGTH],
        body=render_to_string(f"{template}.txt", dict(context)),
        to=list(to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", dict(context)), "text/html")
    return message


def send_templated_mail(
    *,
    template: str,
    context: Mapping[str, Any],
    subject: str,
    to: Sequence[str],
    once_key: str | None = None,
) -> bool:
    """Render `template` (.txt and .html) and send it; True when it was sent now.

    With `once_key` the e-mail goes through `send_once`: sent at most once per key, also when a
    job that sends it runs again after its worker died (False when it was sent before). Without
    it, it is sent every time (a transcript the visitor asked for)."""
    message = templated_message(template=template, context=context, subject=subject, to=to)
    if once_key is not None:
        return send_once(message, key=once_key)
    message.send()
    return True
