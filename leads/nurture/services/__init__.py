"""Every state change of nurture e-mail: enrol by rule, stop, unsubscribe, send what is due.

Callers import from `leads.nurture.services`. The leads services that hook in (intake, scoring,
pipeline, activities) import it inside their functions: this package uses their timeline helpers.
"""

from .enrolment import (
    UNSUBSCRIBE_SALT,
    BadUnsubscribeToken,
    lead_from_unsubscribe_token,
    lead_may_receive_marketing,
    lead_unsubscribe,
    nurture_enroll,
    nurture_enrollment_stop,
    nurture_stop,
    unsubscribe_token,
    unsubscribe_url,
)
from .sending import SendReport, nurture_context, nurture_message, nurture_send_due, nurture_send_test

__all__ = [
    "UNSUBSCRIBE_SALT",
    "BadUnsubscribeToken",
    "SendReport",
    "lead_from_unsubscribe_token",
    "lead_may_receive_marketing",
    "lead_unsubscribe",
    "nurture_context",
    "nurture_enroll",
    "nurture_enrollment_stop",
    "nurture_message",
    "nurture_send_due",
    "nurture_send_test",
    "nurture_stop",
    "unsubscribe_token",
    "unsubscribe_url",
]
