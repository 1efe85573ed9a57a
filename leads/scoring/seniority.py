"""What a free-text job title says about a person: how senior, and how close to security.

People type titles however they like ("SVP, InfoSec", "Sr. Dir. Cyber Risk", "Founder & CEO",
"c.i.s.o."), so the title is first normalised (lower case, punctuation to spaces, "&" to "and",
spelled-out letters joined: "v.p." → "vp") and then matched with whole-word regular expressions.
Whole words matter: a substring test would find "vp" in nothing but would find "cto" in
"director", "intern" in "international" and "security" in "securities"; these are the traps the
tests pin down.

Seniority rules, first match wins (the order is the point):

1. Student, intern, trainee, apprentice → individual, and flagged (`is_trainee`): they research,
   they do not buy. Checked first, so "Intern, Office of the CEO" is not a C-level.
2. Deputy, vice, assistant or associate of a chief ("Deputy CISO") → VP: second in command.
3. C-level: the chief-officer acronyms (CEO, CTO, CIO, CISO, CSO, CFO, COO, …), "Chief … Officer",
   founders and co-founders, owners of a business, chair(wo)man, and "President" unless it is a
   "Vice President". Mentions of a chief *as someone else* are removed first ("Assistant to the
   CEO", "Office of the CISO", "Chief of Staff to the CTO").
4. VP: VP, SVP, EVP, AVP (and other *VP acronyms), "Vice President", and **Head of / Head**.
   *Decision:* "Head of Security" is treated as VP. A head of a function owns its budget and
   reports to a chief; in enterprises that is the VP band, and in smaller companies it is the
   top of the function, which also buys like a VP rather than like a director.
5. Director: Director (Sr., Associate, Executive, Art …), "Dir", "General Manager", "Chief of
   Staff". *Decision:* "Managing Director" is a director: at banks (a large part of the Fortune
   500 list) it is a rank below the executives held by many people.
6. Manager: Manager, "Mgr", Supervisor, Lead, Team/Tech Lead, Leader ("Lead Engineer" leads
   people or a stream of work; "Lead Generation" is marketing, not leadership).
7. Individual contributor: Engineer, Analyst, Architect, Consultant, Specialist, Developer,
   Administrator, Officer ("Information Security Officer"), Associate, Executive ("Account
   Executive"), Advisor, Auditor, … Non-officer chiefs ("Chief Architect") fall through to here.
8. Anything else, including an empty title → unknown: no evidence either way.

Security relevance is a separate question (an "Art Director" is a director but not a buyer of a
security scanner):

* **security**: CISO/CSO, security, infosec, cyber…, SOC, risk, compliance, GRC, privacy, DPO,
  data protection, information assurance, threat, vulnerability, penetration/pentest, forensics,
  incident response, IAM, red/blue/purple team. Risk, compliance and privacy count because in
  regulated companies those teams own or co-sign the security budget. CSO is read as Chief
  Security Officer (it is sometimes Chief Strategy Officer; on our site it almost never is).
* **it** (partially relevant): CTO, CIO, IT, infrastructure, network, systems, sysadmin, cloud,
  platform, DevOps, SRE, technology, help/service desk, data centre. These people run what we
  scan and are often in the room when security tooling is chosen, but rarely sign for it.
* **none**: everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from leads.models import Seniority

__all__ = [
    "SecurityRelevance",
    "TitleProfile",
    "analyse_title",
    "is_security_role",
    "parse_seniority",
    "security_relevance",
]


class SecurityRelevance(StrEnum):
    """How close a role is to buying security tooling."""

    SECURITY = "security"
    IT = "it"
    NONE = "none"


@dataclass(frozen=True)
class TitleProfile:
    """Everything the scoring needs from a job title, parsed once."""

    seniority: Seniority
    security: SecurityRelevance
    is_trainee: bool


def _compile(*alternatives: str) -> re.Pattern[str]:
    """One whole-word pattern from alternatives written against the normalised title."""
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b")


_CHIEF_ACRONYMS = (
    r"ceo|cto|cio|ciso|cso|cfo|coo|cmo|cro|cpo|cdo|cco|chro|caio|cdao|cino|cxo|cao|cbo|cgo|cpso|cseo"
)

# "Assistant to the CEO", "Office of the CISO", "Chief of Staff to the CTO": the chief named here is
# someone else, so the mention must not make the person a C-level.
_SOMEONE_ELSES_CHIEF = re.compile(
    r"\b(?:to|of|for|reporting to|reports to)(?: the)? (?:"
    + _CHIEF_ACRONYMS
    + r"|president|founders?|chairman|chairwoman|board|chief(?: \w+){0,4}? officer)\b"
)
# An owner of a thing (product owner, control owner) is not an owner of the business.
_THING_OWNER = _compile(
    r"(?:product|process|control|risk|system|service|application|data|asset|account|platform|technical)"
    r" owner"
)

_TRAINEE = _compile(
    r"students?",
    r"interns?",
    r"internship",
    r"trainee",
    r"apprentice",
    r"undergrad\w*",
    r"phd candidate",
    r"co op",
    r"werkstudent",
)
_DEPUTY_CHIEF = _compile(r"(?:deputy|vice|assistant|associate) (?:" + _CHIEF_ACRONYMS + r"|chief)")
_C_LEVEL = _compile(
    _CHIEF_ACRONYMS,
    r"chief(?: \w+){1,5}? officer",
    r"chief executive",
    r"(?:co ?)?founder",
    r"owner",
    r"chair(?:man|woman|person)",
    r"(?<!vice )president",
)
_VP = _compile(
    r"[acdegrs]?vps?",  # VP, AVP, CVP, DVP, EVP, GVP, RVP, SVP; not MVP (an award)
    r"vice president",
    r"vice pres",
    r"head(?! ?(?:count|hunter))",
)
_DIRECTOR = _compile(
    r"directors?",
    r"dir",
    r"general manager",
    r"gm",
    r"chief of staff",
)
_MANAGER = _compile(
    r"managers?",
    r"mgr",
    r"supervisor",
    r"lead(?! gen)",
    r"leader",
)
_INDIVIDUAL = _compile(
    r"engineers?",
    r"eng",
    r"analysts?",
    r"architect",
    r"consultant",
    r"specialist",
    r"developer",
    r"dev",
    r"programmer",
    r"administrator",
    r"admin",
    r"sysadmin",
    r"technician",
    r"scientist",
    r"researcher",
    r"associate",
    r"coordinator",
    r"officer",
    r"assistant",
    r"advis[oe]r",
    r"auditor",
    r"tester",
    r"pentester",
    r"designer",
    r"accountant",
    r"representative",
    r"rep",
    r"agent",
    r"executive",
    r"staff",
    r"member",
    r"professional",
    r"expert",
    r"operator",
    r"contractor",
    r"freelancer",
    r"investigator",
    r"responder",
    r"handler",
    r"clerk",
    r"writer",
    r"editor",
    r"teacher",
    r"professor",
    r"lecturer",
    r"nurse",
    r"technologist",
)

_SECURITY = _compile(
    r"cisos?",
    r"cso",
    r"security",
    r"secops",
    r"devsecops",
    r"appsec",
    r"netsec",
    r"infosec",
    r"cyber\w*",
    r"soc",
    r"risks?",
    r"compliance",
    r"grc",
    r"privacy",
    r"dpo",
    r"data protection",
    r"information assurance",
    r"threats?",
    r"vulnerabilit(?:y|ies)",
    r"penetration",
    r"pen ?test\w*",
    r"forensics?",
    r"incident response",
    r"iam",
    r"identity and access",
    r"(?:red|blue|purple) team",
)
_IT = _compile(
    r"cto",
    r"cio",
    r"it",
    r"ict",
    r"chief (?:information|technology|digital|technical) officer",
    r"infrastructure",
    r"infra",
    r"network\w*",
    r"systems?",
    r"sysadmin",
    r"cloud",
    r"platforms?",
    r"devops",
    r"sre",
    r"site reliability",
    r"technology",
    r"help ?desk",
    r"service desk",
    r"data ?cent(?:er|re)s?",
    r"noc",
)


def _normalise(job_title: str) -> str:
    """Lower case, "&"/"+" to "and", punctuation to spaces, "v. p." to "vp", single spaces."""
    text = job_title.lower().replace("&", " and ").replace("+", " and ")
    text = re.sub(r"[\W_]+", " ", text).strip()
    # Spelled-out acronyms: "c i s o" → "ciso", "v p" → "vp" (two or more single letters in a row).
    text = re.sub(r"\b[a-z](?: [a-z]\b)+", lambda match: match.group(0).replace(" ", ""), text)
    return text


def analyse_title(job_title: str) -> TitleProfile:
    """Seniority, security relevance and trainee flag of a job title (see the module docstring)."""
    text = _normalise(job_title or "")
    security = security_relevance(job_title)
    if not text:
        return TitleProfile(Seniority.UNKNOWN, security, is_trainee=False)
    if _TRAINEE.search(text):
        return TitleProfile(Seniority.INDIVIDUAL, security, is_trainee=True)
    own = _THING_OWNER.sub(" ", _SOMEONE_ELSES_CHIEF.sub(" ", text))
    for pattern, seniority in (
        (_DEPUTY_CHIEF, Seniority.VP),
        (_C_LEVEL, Seniority.C_LEVEL),
        (_VP, Seniority.VP),
        (_DIRECTOR, Seniority.DIRECTOR),
        (_MANAGER, Seniority.MANAGER),
        (_INDIVIDUAL, Seniority.INDIVIDUAL),
    ):
        if pattern.search(own):
            return TitleProfile(seniority, security, is_trainee=False)
    if _THING_OWNER.search(text):  # "Product Owner" and friends: they own a thing, not a budget.
        return TitleProfile(Seniority.INDIVIDUAL, security, is_trainee=False)
    return TitleProfile(Seniority.UNKNOWN, security, is_trainee=False)


def parse_seniority(job_title: str) -> Seniority:
    """The seniority band of a free-text job title; `Seniority.UNKNOWN` when it says nothing."""
    return analyse_title(job_title).seniority


def security_relevance(job_title: str) -> SecurityRelevance:
    """Whether the title is a security role, an IT/infrastructure role, or neither."""
    text = _normalise(job_title or "")
    if _SECURITY.search(text):
        return SecurityRelevance.SECURITY
    if _IT.search(text):
        return SecurityRelevance.IT
    return SecurityRelevance.NONE


def is_security_role(job_title: str) -> bool:
    """True for security, risk, compliance and privacy roles (not for IT roles, see the docstring)."""
    return security_relevance(job_title) is SecurityRelevance.SECURITY
