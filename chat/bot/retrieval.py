"""Find the published knowledge articles that answer a question, offline.

On PostgreSQL: full-text search (weighted title/questions > keywords > answer, English stemming,
any of the question's words), ranked. Elsewhere: a ranked match of the question's content words
against the same fields with light stemming. Either way a question that matches too little gets
no article, so the bot says it does not know instead of answering something unrelated.
"""

from __future__ import annotations

import functools
import operator
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection

from chat.models import KnowledgeArticle

MAX_RESULTS = 3
#: Articles scanned by the portable matcher (a knowledge base is small; this bounds the worst case).
MAX_ARTICLES_SCANNED = 1000
#: PostgreSQL rank (normalised to 0..1 by rank/(rank+1)) below which an article is not an answer.
MIN_PG_RANK = 0.05
#: Portable matcher: share of the question's content words an article must contain.
MIN_COVERAGE = 0.5

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "hi",
        "hello",
        "hey",
        "please",
        "thanks",
        "thank",
        "tell",
        "know",
        "want",
        "like",
        "get",
        "got",
        "need",
        "can't",
        "don't",
        "does",
        "doesn't",
        "i'm",
        "it's",
        "we're",
        "you're",
        "much",
        "many",
    ]
)
WORD = re.compile(r"[a-z0-9][a-z0-9'+#.-]*[a-z0-9+#]|[a-z0-9]")


@dataclass(frozen=True)
class Match:
    article: KnowledgeArticle
    score: float


def stem(word: str) -> str:
    """A deliberately light stemmer: enough that 'prices' finds 'price' and 'scanning' 'scan'."""
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    return word.rstrip("e") if len(word) > 4 else word


def content_words(text: str) -> list[str]:
    words = [w.strip(".'") for w in WORD.findall(text.lower())]
    return list(dict.fromkeys(stem(w) for w in words if w and w not in STOP_WORDS and len(w) > 1))


def search(question: str) -> list[Match]:
    """The best published articles for `question`, best first; empty when none fits."""
    words = content_words(question)
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(question)
    return _search_portable(words)


def _search_postgres(question: str) -> list[Match]:
    raw_words = [w.strip(".'") for w in WORD.findall(question.lower())]
    terms = [w for w in dict.fromkeys(raw_words) if w and w not in STOP_WORDS and len(w) > 1][:20]
    if not terms:
        return []
    query = functools.reduce(operator.or_, (SearchQuery(t, config="english") for t in terms))
    vector = (
        SearchVector("title", weight="A", config="english")
        + SearchVector("questions", weight="A", config="english")
        + SearchVector("keywords", weight="B", config="english")
        + SearchVector("answer", weight="C", config="english")
    )
    rows = (
        KnowledgeArticle.objects.filter(is_published=True)
        .annotate(rank=SearchRank(vector, query, normalization=32))
        .filter(rank__gte=MIN_PG_RANK)
        .order_by("-rank", "title")[:MAX_RESULTS]
    )
    return [Match(article=row, score=float(row.rank)) for row in rows]


FIELD_WEIGHTS = (("title", 3.0), ("questions", 3.0), ("keywords", 2.0), ("answer", 1.0))


def _search_portable(words: list[str]) -> list[Match]:
    matches: list[Match] = []
    articles = KnowledgeArticle.objects.filter(is_published=True).order_by("title")[:MAX_ARTICLES_SCANNED]
    for article in articles:
        fields = {name: set(content_words(getattr(article, name))) for name, _ in FIELD_WEIGHTS}
        score, found = 0.0, 0
        for word in words:
            weight = max((w for name, w in FIELD_WEIGHTS if word in fields[name]), default=0.0)
            score += weight
            found += weight > 0
        coverage = found / len(words)
        if coverage >= MIN_COVERAGE and score >= 2.0:
            matches.append(Match(article=article, score=round(score / len(words), 3)))
    matches.sort(key=lambda m: (-m.score, m.article.title))
    return matches[:MAX_RESULTS]
