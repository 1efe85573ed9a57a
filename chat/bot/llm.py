"""Optional: let an OpenAI-compatible chat-completions endpoint phrase the bot's answer.

Only when LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are all set. The model sees the visitor's
question and the retrieved passages only (at most three sentences of each matching article, with
its title), and is told to answer from them; on any error, timeout
or empty reply the caller posts the plain article answer instead, so the bot never goes silent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import httpx
from django.conf import settings

logger = logging.getLogger(__name__)

MAX_ANSWER_CHARS = 2000
SYSTEM_PROMPT = (
    "You are the website assistant of Enterprise Scanner, a security assessment company. Answer "
    "the visitor's question using only the knowledge-base passages given. Be brief and friendly. "
    "If the passages do not answer the question, say that you do not know."
)


def llm_enabled() -> bool:
    return bool(settings.LLM_BASE_URL and settings.LLM_API_KEY and settings.LLM_MODEL)


async def llm_phrase(*, question: str, articles: Sequence[tuple[str, str]]) -> str | None:
    """A phrased answer to `question` from (title, passage) pairs, or None to use the plain one."""
    if not llm_enabled() or not articles:
        return None
    context = "\n\n".join(f"## {title}\n{answer}" for title, answer in articles)
    payload = {
        "model": settings.LLM_MODEL,
        "messages": [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Articles:\n{context}\n\nQuestion: {question}"},
        ],
        "temperature": 0.2,
        "max_tokens": 400,
    }
    url = settings.LLM_BASE_URL.rstrip("/") + "/chat/completions"
    try:
        async with httpx.AsyncClient(timeout=settings.LLM_TIMEOUT, follow_redirects=False) as client:
            response = await client.post(
                url, json=payload, headers={"Authorization": f"Bearer {settings.LLM_API_KEY}"}
            )
            response.raise_for_status()
            text = response.json()["choices"][0]["message"]["content"]
    except Exception:
        logger.warning("LLM phrasing failed; using the plain article answer", exc_info=True)
        return None
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()[:MAX_ANSWER_CHARS]
