"""Find the passage of a published knowledge article that answers a question, offline.

Articles are split into passages (a paragraph of the answer, at most three sentences), and each
passage is indexed with its article's title, questions and keywords, so the article decides
*which* article and the passage *which part of it*. Ranking is BM25 (`bm25s`) over stemmed text:

- contractions ("what's", "don't") and stop words are dropped;
- acronyms (written in capitals, or with digits: SOC 2, DSAR, ASVS) are never stemmed, so one
  cannot turn into another;
- every term of an admin-edited synonym group (`KnowledgeSynonym`) is read as one word, before
  anything else, so "Europe" finds "EU" and "pen test" finds "penetration testing".

A match must also be *confident*: the passage's article must contain most of the question's
weight (rare words weigh more, words the knowledge base has never seen weigh a lot when they
name something), and a yes/no question ("Are you ISO 27001 certified?") is answered only by an
article about its subject. Below that the bot says it does not know rather than answer a
different question.

The index is built once per process and database for a version of the knowledge base (published
article count, last edit, synonyms) and rebuilt when that changes: one small query per question,
or none where the chat's bot reads the version with the conversation it locks.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from dataclasses import dataclass, field
from statistics import median

import bm25s
import Stemmer
from django.db import connection

from chat.models import KnowledgeArticle, KnowledgeSynonym

MAX_RESULTS = 3
#: Articles indexed (a knowledge base is small; this bounds the worst case).
MAX_ARTICLES = 2000
MAX_PASSAGE_SENTENCES = 3
#: Share of the question's weight its best article must contain to be an answer.
MIN_COVERAGE = 0.5
#: Weight of a word the knowledge base has never seen, relative to the median word: a long
#: question's own words ("we're a bank and wondered whether…") must not drown its subject.
UNKNOWN_WORD_FACTOR = 0.5
#: Questions longer than this are cut (a pasted e-mail should not cost more than a question).
MAX_QUESTION_CHARS = 1000

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any anything anyone are as at be been
    being below between both but by can could did do does doing done down during each either
    else ever every few for from further had has have having he her here hers him his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some something such than that the
    their theirs them then there these they this those through to too under until up very was
    we were what whatever when where whether which while who whom why will with would you your
    yours yourself yourselves us
    hi hello hey please thanks thank tell know want wanted like get got need needs wondering
    curious looking question quick ok okay yes yeah sure really actually currently usually
    still well way able possible let make give see go one guys folks much many lot lots
    offer offers offered provide provides support supports supported use uses using used help
    helps allow allows work works exactly kind sort
    service services platform solution solutions tool tools product products company companies
    people
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+#]*")
_CONTRACTION_NOT = re.compile(r"n['’]t\b", re.IGNORECASE)
_CONTRACTION = re.compile(r"['’](?:s|re|ve|ll|d|m)\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-_/]+")
_THOUSANDS = re.compile(r"(?<=\d)[,.](?=\d{3}\b)")
_QUESTION_SENTENCE = re.compile(r"[^.!?]*\?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_PARAGRAPH = re.compile(r"\n\s*\n")
#: A synonym group's terms are replaced by this marker plus the group's number.
_MARKER = "qsyn"
_YES_NO = re.compile(
    r"^\s*(?:(?:and|so|but|also|ok|okay|hi|hello|hey)[,\s]+)*"
    r"(?:is|are|am|do|does|did|can|could|will|would|have|has|should|may|might|must|shall)\b",
    re.IGNORECASE,
)

_stemmer = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Token:
    term: str
    #: Names something (an acronym, a number, a capitalised word mid-sentence, a synonym group):
    #: an article that does not mention it is not about the question.
    subject: bool


@dataclass(frozen=True)
class Passage:
    article_id: int
    index: int
    text: str


@dataclass(frozen=True)
class Match:
    article: KnowledgeArticle
    passage: str
    score: float
    #: Share of the question's weight found in the article (0..1): how sure the bot is.
    confidence: float


@dataclass
class _Analyzer:
    """Turns text into index terms; built from the synonym groups and the articles' acronyms."""

    synonyms: re.Pattern[str] | None
    groups: dict[str, int]
    acronyms: frozenset[str] = frozenset()

    def tokens(self, text: str) -> list[Token]:
        text = _SEPARATORS.sub(" ", _THOUSANDS.sub("", text[:MAX_QUESTION_CHARS]))
        letters = [c for c in text if c.isalpha()]
        if len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.8:
            text = text.lower()  # shouted: capitals say nothing about acronyms
        if self.synonyms is not None:
            text = self.synonyms.sub(self._marker, text)
        text = _CONTRACTION.sub("", _CONTRACTION_NOT.sub(" not", text))
        result: list[Token] = []
        for match in _WORD.finditer(text):
            word = match.group(0)
            lower = word.lower()
            before = text[: match.start()].rstrip()
            sentence_start = not before or before[-1] in ".!?:;\"'("
            if lower.startswith(_MARKER) and lower[len(_MARKER) :].isdigit():
                result.append(Token(lower, subject=True))
                continue
            if word.isdigit():  # a quantity ("1,800 people", "40 domains"), not a subject
                result.append(Token(lower, subject=False))
                continue
            is_acronym = (len(word) >= 2 and word.isupper()) or any(c.isdigit() for c in word)
            if not is_acronym and (lower in STOP_WORDS or len(lower) < 2):
                continue
            if is_acronym or lower in self.acronyms:
                result.append(Token(lower, subject=True))
            else:
                capitalised = word[0].isupper() and not sentence_start
                result.append(Token(_stemmer.stemWord(lower), subject=capitalised))
        return result

    def _marker(self, match: re.Match[str]) -> str:
        return f" {_MARKER}{self.groups[' '.join(match.group(0).lower().split())]} "

    def terms(self, text: str) -> list[str]:
        return [token.term for token in self.tokens(text)]


def _synonym_pattern(groups: list[list[str]]) -> tuple[re.Pattern[str] | None, dict[str, int]]:
    """One regex for every term of every group (longest first, whole words, any spacing, an
    optional plural), and each term's group number."""
    numbers: dict[str, int] = {}
    for number, terms in enumerate(groups):
        for term in terms:
            term = " ".join(_SEPARATORS.sub(" ", term).split()).lower()
            if term:
                numbers.setdefault(term, number)
    if not numbers:
        return None, {}
    alternatives = sorted(numbers, key=len, reverse=True)
    body = "|".join(r"\s+".join(map(re.escape, term.split())) for term in alternatives)
    pattern = re.compile(rf"(?<![A-Za-z0-9])(?:{body})(?![A-Za-z0-9])", re.IGNORECASE)
    return pattern, numbers


def split_paragraphs(answer: str) -> list[str]:
    """An answer's paragraphs (separated by a blank line), each on one line."""
    return [" ".join(p.split()) for p in _PARAGRAPH.split(answer.strip()) if p.strip()]


def split_passages(answer: str) -> list[str]:
    """An answer's passages: each paragraph, in pieces of at most three sentences."""
    passages: list[str] = []
    for paragraph in split_paragraphs(answer):
        sentences = [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
        for start in range(0, len(sentences), MAX_PASSAGE_SENTENCES):
            passages.append(" ".join(sentences[start : start + MAX_PASSAGE_SENTENCES]))
    return passages


@dataclass
class KnowledgeIndex:
    """The BM25 index of every published passage, and what confidence needs to know."""

    analyzer: _Analyzer
    articles: dict[int, KnowledgeArticle]
    passages: list[Passage]
    article_terms: dict[int, frozenset[str]]
    idf: dict[str, float]
    unknown_weight: float
    retriever: bm25s.BM25 | None = None
    #: Each passage's own terms (without its article's title, questions and keywords).
    passage_terms: list[frozenset[str]] = field(default_factory=list)

    @classmethod
    def build(cls, articles: list[KnowledgeArticle], synonym_groups: list[list[str]]) -> KnowledgeIndex:
        pattern, groups = _synonym_pattern(synonym_groups)
        acronyms = frozenset(
            word.lower()
            for article in articles
            for text in (article.title, article.questions, article.answer)
            for word in _WORD.findall(_SEPARATORS.sub(" ", text))
            if len(word) >= 2 and word.isupper()
        )
        analyzer = _Analyzer(synonyms=pattern, groups=groups, acronyms=acronyms)
        passages: list[Passage] = []
        documents: list[list[str]] = []
        own_terms: list[frozenset[str]] = []
        article_terms: dict[int, frozenset[str]] = {}
        for article in articles:
            context = analyzer.terms(
                f"{article.title}\n{article.questions}\n{article.keywords.replace(',', '.')}"
            )
            # the title and the questions say what the article is about: count them twice
            context += analyzer.terms(f"{article.title}\n{article.questions}")
            texts = split_passages(article.answer) or [article.answer]
            terms_of_article = set(context)
            for index, text in enumerate(texts):
                terms = analyzer.terms(text)
                terms_of_article.update(terms)
                own_terms.append(frozenset(terms))
                passages.append(Passage(article_id=article.pk, index=index, text=text))
                documents.append(context + terms)
            article_terms[article.pk] = frozenset(terms_of_article)
        count = len(articles)
        document_frequency: dict[str, int] = {}
        for terms in article_terms.values():
            for term in terms:
                document_frequency[term] = document_frequency.get(term, 0) + 1
        idf = {t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()}
        index = cls(
            analyzer=analyzer,
            articles={a.pk: a for a in articles},
            passages=passages,
            article_terms=article_terms,
            idf=idf,
            unknown_weight=UNKNOWN_WORD_FACTOR * median(idf.values()) if idf else 1.0,
            passage_terms=own_terms,
        )
        if documents:
            index.retriever = bm25s.BM25()
            index.retriever.index(documents, show_progress=False)
        return index

    def search(self, question: str) -> list[Match]:
        # "Our HR team reviews vendors. Where is the data hosted?": the question is the question
        asked = _QUESTION_SENTENCE.findall(question)
        if asked and len(asked) < len(_SENTENCE_END.split(question.strip())):
            question = " ".join(asked)
        tokens = self.analyzer.tokens(question)
        if not tokens or self.retriever is None:
            return []
        terms = list(dict.fromkeys(t.term for t in tokens))
        subjects = {t.term for t in tokens if t.subject}
        scores = self.retriever.get_scores(terms)
        yes_no = bool(_YES_NO.match(question))
        best: dict[int, float] = {}
        for position, score in enumerate(scores):
            article_id = self.passages[position].article_id
            if score > best.get(article_id, 0.0):
                best[article_id] = float(score)
        matches: list[Match] = []
        for article_id, score in best.items():
            confidence = self._coverage(terms, subjects, self.article_terms[article_id])
            if confidence < MIN_COVERAGE:
                continue
            if yes_no and not subjects <= self.article_terms[article_id]:
                continue  # "Are you ISO 27001 certified?" is not answered by the SOC 2 article
            matches.append(
                Match(
                    article=self.articles[article_id],
                    passage=self._best_passage(article_id, terms),
                    score=round(score, 3),
                    confidence=round(confidence, 3),
                )
            )
        matches.sort(key=lambda m: (-m.score, m.article.title))
        return matches[:MAX_RESULTS]

    def _best_passage(self, article_id: int, terms: list[str]) -> str:
        """The article's passage whose own words weigh most in the question; the first (an
        article leads with its answer) when none says more than the others."""
        best_text, best_weight = "", -1.0
        for passage, own in zip(self.passages, self.passage_terms, strict=True):
            if passage.article_id != article_id:
                continue
            weight = sum(self.idf.get(term, 0.0) for term in set(terms) if term in own)
            if weight > best_weight:
                best_text, best_weight = passage.text, weight
        return best_text

    def _coverage(self, terms: list[str], subjects: set[str], found: frozenset[str]) -> float:
        """Share of the question's weight in the article. A known word weighs its rarity; an
        unknown word the median, or the most when it names something ("Tokyo", "ISO")."""
        heaviest = max(self.idf.values(), default=1.0)
        total = matched = 0.0
        for term in terms:
            if term in self.idf:
                weight = self.idf[term]
            else:
                weight = heaviest if term in subjects else self.unknown_weight
            total += weight
            if term in found:
                matched += weight
        return matched / total if total else 0.0


_cache: dict[str, tuple[tuple, KnowledgeIndex]] = {}
_lock = threading.Lock()


@functools.cache
def version_parts() -> tuple[str, ...]:
    """What the index depends on, as scalar subqueries written once from the models' table and
    column names (the ORM took ~3 ms a question to compile two aggregates, the database ~0.1 ms
    to answer): published articles and active synonym groups, their count, the last edit and
    the total of each (a bulk `update()` of a flag changes a count). Each takes `True` as its
    parameter or none; `VERSION_PARAMS` says which. The chat's bot folds them into the query
    that locks the conversation (chat.services.bot), so a question costs no round trip of its
    own to check the version."""
    quote = connection.ops.quote_name
    parts: list[str] = []
    for model, flag in ((KnowledgeArticle, "is_published"), (KnowledgeSynonym, "is_active")):
        table = quote(model._meta.db_table)
        parts += [
            # Quoted names from the models; the flag value is a parameter.
            f"(SELECT COUNT(*) FROM {table} WHERE {quote(flag)} = %s)",  # noqa: S608
            f"(SELECT MAX({quote('updated_at')}) FROM {table})",  # noqa: S608
            f"(SELECT COUNT(*) FROM {table})",  # noqa: S608
        ]
    return tuple(parts)


#: The parameters of each of `version_parts()`.
VERSION_PARAMS: tuple[tuple[bool, ...], ...] = ((True,), (), (), (True,), (), ())


def _version() -> tuple:
    """The knowledge base's version (see `version_parts`), in one small query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(version_parts()), [p for params in VERSION_PARAMS for p in params]
        )
        return tuple(cursor.fetchone())


def knowledge_index(version: tuple | None = None) -> KnowledgeIndex:
    """The index for the knowledge base as it is now, built again only when it changed.
    `version` is the knowledge base's version when the caller already read it (the values of
    `version_parts()`, in order, as the database returned them); otherwise one query reads it."""
    version = (connection.alias, *(_version() if version is None else version))
    cached = _cache.get(connection.alias)
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        articles = list(KnowledgeArticle.objects.filter(is_published=True).order_by("pk")[:MAX_ARTICLES])
        groups = [group.term_list() for group in KnowledgeSynonym.objects.filter(is_active=True)]
        index = KnowledgeIndex.build(articles, groups)
        _cache[connection.alias] = (version, index)
    return index


def search(question: str) -> list[Match]:
    """The best published passages for `question`, one per article, best first; empty when no
    article answers it confidently."""
    if not question.strip():
        return []
    return knowledge_index().search(question)
