"""The chat websockets: thin async consumers that validate frames, call the chat services
in database threads (chat.service_calls), and relay stored messages in sequence order.

- base: frame checks, errors out, in-order delivery and catch-up (both sockets)
- guards: the channel layer's failures as an event, per-connection rate limits
- visitor: `VisitorConsumer` (ws/chat/), one visitor and their conversation
- agent: `AgentConsumer` (ws/agent/), a staff member's console

Reconnecting clients say which sequence they saw last and receive everything after it. See
docs/chat-protocol.md.
"""

from __future__ import annotations

from .agent import AgentConsumer
from .base import ChatConsumerBase
from .visitor import VisitorConsumer

__all__ = ["AgentConsumer", "ChatConsumerBase", "VisitorConsumer"]
