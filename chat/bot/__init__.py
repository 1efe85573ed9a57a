"""The chat bot: what it understands (intents), what it knows (retrieval over the admin-edited
knowledge base) and, optionally, how it phrases an answer (an OpenAI-compatible LLM)."""
