"""The one error type of the chat domain, shared by its services and its sockets."""

from __future__ import annotations


class ChatError(Exception):
    """A refusal the client is told about as an `error` event with this code and message."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
