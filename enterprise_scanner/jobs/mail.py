"""Sending an e-mail from a background job at most once, even when the job runs again.

A job is re-run when its worker dies (see `recovery`), so a job that sends e-mail must do it the
same way every time: lock, check, record, send, commit. `send_once` is that pattern for any
e-mail: it records a key that names what the e-mail is about in the same transaction as the
send, and gives the message a Message-ID derived from that key.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction

from .models import SentEmail


def deterministic_message_id(key: str) -> str:
    """A Message-ID that is the same for every send of the same e-mail (same key), so that a
    duplicate — the one left possible, a worker killed between handing the mail to the server
    and committing that it did — is recognisable to the mail server and the reader's client."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = urlsplit(settings.SITE_URL).hostname or "enterprise-scanner.invalid"
    return f"<{digest}@{domain}>"


def send_once(message: EmailMessage, *, key: str) -> bool:
    """Send `message` unless an e-mail with this `key` was sent before; True when it was sent now.

    The key is recorded first and the message handed to the mail server last, inside one
    transaction: a failed send rolls the record back (the next run tries again), a concurrent run
    of the same job waits on the key's unique index and then finds it taken, and a crash can only
    duplicate the e-mail between the send and COMMIT. Call it inside the transaction that records
    the domain's own trace of the e-mail (timeline entry, `*_sent_at`) so both commit together.
    """
    message_id = deterministic_message_id(key)
    with transaction.atomic():
        try:
            with transaction.atomic():
                SentEmail.objects.create(
                    key=key[:255],
                    message_id=message_id,
                    to=", ".join(message.to),
                    subject=str(message.subject)[:255],
                )
        except IntegrityError:
            return False
        message.extra_headers["Message-ID"] = message_id
        message.send()
    return True
