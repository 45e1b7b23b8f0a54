"""Crisis screen: suicide, self-harm and harm-to-others language in a community post or a
patient's self-help text (wellbeing). It lives in the kernel, pure, so both use the same rules
without importing each other; ``careverse.community.crisis`` re-exports it.

``screen(text)`` is pure (no DB, no I/O after the first call) and fast (a few compiled regular
expressions, well under 5 ms a post). It combines:

* hand-written **rules** (first-person intent, plans, "can't go on", self-harm, harm to others),
  each with a stable id (``rule:suicide.intent`` …);
* the validated **Suicide Risk Lexicon** (Low et al. 2024) shipped as a CSV inside the
  ``construct-tracker`` package (Apache-2.0), read from the installed package; its constructs
  "Passive suicidal ideation", "Active suicidal ideation & suicidal planning", "Direct
  self-injury" and "Other suicidal language" flag (``lexicon:<construct>:<entry>``), "Lethal means
  for suicide" only marks method details (#chatsafe).

Both go through the same context handling, per sentence: a **negation** just before the hit
("I would never kill myself", "I don't want to die") and **quotation** (text in quotes or a
Markdown ``>`` quote, unless the writer introduces it as their own thought: "I keep thinking
'I want to die'") do not flag; a **past, recovered experience** ("ten years ago I tried to take
my own life; I'm in a good place now") does not flag but is tagged ``lived-experience``. Idioms
("dying to see the film", "this traffic is killing me") are not in any pattern.

**Veiled** signs (perceived burdensomeness, goodbyes, giving things away, wishing not to wake
up, the means and a time) and **sentence windows** (two halves of a sign in neighbouring
sentences: "I have the pills. Tonight is the night.") live in
:mod:`careverse.kernel.crisis_veiled`; they give ``veiled:<sign>`` and ``window:<sign>``
reasons and go through the same negation, quotation and past handling. They flag like any rule:
the post goes to a human, who tells a veiled crisis from a sad day.

A flagged post is held for a human and escalated by the caller; it is never deleted. Method
details ("…took 40 paracetamol", "rope") set ``method_details`` so the post is shown behind a
warning (tag :data:`METHOD_WARNING_TAG`). Reasons name rules and lexicon entries, never the
post's words, so they are safe to show a moderator and to put in an alert's "why".
"""

# ruff: noqa: E501  (the patterns read better on one line each)
from __future__ import annotations

import csv
import importlib.util
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from careverse.kernel.crisis_veiled import NEGATIVE_FORM as VEILED_NEGATIVE_FORM
from careverse.kernel.crisis_veiled import compiled_veiled, compiled_windows

METHOD_WARNING_TAG = "cw-method"
LIVED_EXPERIENCE_TAG = "lived-experience"

LEXICON_DIR = "data/lexicons/suicide_risk_lexicon_v1-0"
LEXICON_FILE = "suicide_risk_lexicon_validated_prototypical_tokens_24-08-07T16-25-19.csv"
FLAGGING_CONSTRUCTS = {
    "Passive suicidal ideation": "suicide",
    "Active suicidal ideation & suicidal planning": "suicide",
    "Direct self-injury": "self-harm",
    "Other suicidal language": "suicide",
}
METHOD_CONSTRUCT = "Lethal means for suicide"
# Lexicon entries too idiomatic or too ambiguous to flag alone ("kill me now, another meeting").
LEXICON_EXCLUDED = {"kill me", "cutting", "suicidal intent", "suicidal tendencies", "nssi"}


@dataclass(frozen=True)
class Screening:
    """The result of :func:`screen`: ``flagged`` means hold for a human and escalate."""

    flagged: bool
    reasons: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)  # suicide, self-harm, harm-to-others
    method_details: bool = False
    lived_experience: bool = False

    @property
    def tags(self) -> list[str]:
        tags = [METHOD_WARNING_TAG] if self.method_details else []
        return tags + ([LIVED_EXPERIENCE_TAG] if self.lived_experience else [])


_I = r"(?:i|i'm|im|i am|i've|ive|i'll|i'd)"
_SELF = r"(?:myself|my self)"
RULES: list[tuple[str, str, str]] = [
    ("suicide.intent", "suicide", rf"\b(?:kill|killing|killed|end|ending|hang|hanging|shoot|shooting|drown|poison|poisoning) {_SELF}\b"),
    ("suicide.end-life", "suicide", r"\b(?:end|ending|take|taking|finish|finishing) (?:it all|my (?:own )?life)\b|\b(?:going to|gonna|i'll|will|to) end it\b"),
    ("suicide.want-die", "suicide", r"\b(?:want|wanna|wish|wishing|wanted|ready|going|deserve|need) (?:to )?(?:die|be dead|not exist|disappear forever)\b|\b(?:want|wanna) to [^.!?]{0,25}\band die\b|\bwish(?:ing|ed)? i (?:was|were) (?:dead|never born)\b|\b(?:drink|starve) myself to death\b"),
    ("suicide.not-live", "suicide", r"\b(?:don't|do not|dont|no longer) (?:want|wanna) to (?:live|be alive|be here|wake up|exist)"),
    ("suicide.not-wake", "suicide", r"\b(?:wish|hope|hoping|want|wanna)\b[^.!?]{0,30}\b(?:not|never|don't|won't|wouldn't|would not) wake up\b(?! (?:the|my|your|him|her|them|everyone|anyone|us|until|till|til|before|early)\b)|\bsleep forever\b"),
    ("suicide.cant-go-on", "suicide", r"\b(?:can't|cannot|cant|can not) (?:go on|do this anymore|keep going|carry on)(?: living| anymore| like this)?\b"),
    ("suicide.no-reason", "suicide", r"\b(?:no (?:reason|point) (?:to |in )?(?:living|live|going on(?! (?:to|with|at|about|for)\b)|being alive)|nothing (?:left )?to live for)\b"),
    ("suicide.better-off", "suicide", r"\b(?:better off (?:dead|without me(?! \w+ing\b)|if i (?:was|were) (?:dead|gone))|(?:everyone|they|world) would be better without me)\b"),
    ("suicide.plan", "suicide", r"\b(?:suicide note|goodbye letters?|say(?:ing)? (?:my )?goodbyes? (?:to everyone|forever)|tonight is the night(?!\s*[:\-]| for| of| we| out)|(?:my|a) plan to (?:die|end it)|won't be here (?:tomorrow|much longer)|(?:planning|planned|plan) my (?:suicide|death))\b"),
    ("suicide.thinking", "suicide", rf"\b{_I} (?:keep |always |constantly |often )?(?:think|thinking) (?:about|of) (?:dying|suicide|killing myself|ending (?:it all|my life)|jumping off|hanging myself)\b"),
    ("suicide.suicidal-now", "suicide", r"\b(?:feel|feeling|am|i'm|im|so|really|very|been|being|get|getting)\s+(?:so |really |very |quite |a bit |kind of |pretty )?suicidal\b"),
    ("suicide.attempt", "suicide", r"\b(?:attempt(?:ed|ing)? suicide|tried to (?:kill myself|end it|die))\b"),
    ("self-harm.act", "self-harm", rf"\b(?:cut|cuts|cutting|burn|burned|burnt|burning|hurt|hurting|harm|harmed|harming|punish|punishing|scratch|scratched|scratching|stab|stabbed|stabbing|injure|injured|injuring) {_SELF}\b"),
    ("self-harm.urge", "self-harm", r"\b(?:i|i've|i'm|im|been|keep|kept|started|stop|urge to|want to|wanna|still|again)\b(?:(?!never|not\b|n't)[^.!?]){0,20}\bself[- ]?(?:harm|injur)\w*(?![- ]free)|\bself[- ]?(?:harm|injury)\w* (?:is the only|helps|again)\b|\burge to cut\b"),
    ("harm-others.intent", "harm-to-others", rf"\b{_I} (?:'m |am |will |'ll |want to |wanna |am going to |'m going to |going to |gonna )?(?:kill|murder|stab|shoot|strangle|hurt|attack|beat up) (?:him|her|them|you|someone|somebody|people|everyone|my (?:wife|husband|partner|mum|mom|dad|son|daughter|boss|neighbou?r|brother|sister|baby|child|kids?))\b"),
    ("harm-others.mass", "harm-to-others", r"\b(?:shoot up|blow up) (?:the|my|a) (?:school|office|work|place)\b"),
    # Added after the held-out evaluation (tests/data/crisis_heldout.jsonl): general forms, not its phrases.
    ("suicide.word", "suicide", r"\b(?:commit(?:ting)?|consider(?:ing|ed)?|contemplat(?:e|ing|ed)|think(?:ing)? (?:about|of)|thought (?:about|of)|plan(?:ning|ned)?) suicide\b|\bsuicide (?:is|feels like|seems like|looks like) (?:the |my )?only\b|\b(?:having|had|got|getting|get|been having|experiencing|with) (?:\w+ )?suicidal (?:thoughts|feelings|urges)\b|^\W*suicidal\b|\b(?:off|offing|offed) myself\b"),
    ("suicide.want-die-more", "suicide", r"(?<!\bhe )(?<!\bshe )(?<!\bdad )(?<!\bmum )(?<!\bmom )\b(?:wants|decided|decide|choose|chosen|trying|try|plan(?:ning)?|(?:would|'d|i) (?:like|love)) to die\b(?! (?:my|your|her|his|their) hair)|\bwish (?:i|we) (?:could|would|can) (?:just )?die\b|\brather (?:be dead|die|not (?:be here|exist)) than\b|\b(?:tired|sick) of (?:being alive|living|existing)\b|\bwant(?:s)? out of (?:this |my )?(?:life|world)\b|\bwant(?:s|ed)? (?:everything|it all|my life) to (?:end|be over)\b"),
    ("suicide.not-exist", "suicide", r"\b(?:wish|want|wanna|wanted|need)\b[^.!?]{0,20}\b(?:not (?:to )?exist|stop existing|(?:had |'d )?never (?:been|be) born)\b|\bstop existing\b|\b(?:sleep|asleep) forever\b|\bdisappear\w*\b[^.!?]{0,30}\b(?:permanently|for good|forever|never (?:come|coming) back)\b"),
    ("suicide.death-wish", "suicide", r"\b(?:wish|wishing|hope|hoping|pray|praying)\b[^.!?]{0,30}\b(?:(?:hit|kill|take|takes|run over|end) me\b(?! home| to\b| back| out| for| with)|terminal (?:illness|diagnosis)|(?:won't|will not|wouldn't|don't|do not|never) wake up\b(?! (?:the|my|your|him|her|them|everyone|anyone|us)\b))"),
    ("suicide.if-i-died", "suicide", r"\b(?:fine|happy|relieved|better|easier|okay|ok|glad) if i (?:just |simply )?(?:died|didn't wake up|never woke up|was(?:n't)? (?:gone|dead|here)|were(?:n't)? (?:gone|dead|here))\b|\bif i (?:just )?(?:died|didn't wake up|did not wake up|never woke up|was gone|were gone|wasn't here|weren't here)\b[^.!?]{0,40}\b(?:relief|better|best|easier|fine|nobody|no one|noone|would(?:n't)? (?:even )?(?:notice|care|matter))\b|\b(?:don't|do not|dont|stopped|stop) car(?:e|ing) (?:if|whether) i (?:live|die|wake up|make it)\b(?! on this hill)"),
    ("suicide.death-better", "suicide", r"\b(?:being dead|death|dying|not being here|not existing) (?:would be|seems?|sounds?|feels?|is) (?:like )?(?:a |the )?(?:better|easier|relief|kinder|answer|only way)\b|\b(?:no|the|what's the|whats the|what is the|any) (?:reason|point) (?:to |in |of |for me to )?(?:keep )?(?:living|being alive|(?:carrying|going) on(?! (?:to|with|at|about|for)\b))\b|\bcan't keep (?:living|going)\b"),
    ("suicide.end-things", "suicide", r"\b(?:end|ending) things\b(?! (?:with|between|off))|\b(?:can|could) end it\b(?! with| between| all there)|\blet (?:it|them|this|that|the \w+) (?:kill|finish) me\b|\bover for (?:both|the two|all) of us\b"),
    ("suicide.method-plan", "suicide", r"\b(?:going to|gonna|about to|i'll|want to|wanna|ready to|plan(?:ning)? to) jump(?:\W*$| off\b| from\b| in front\b)|\bthrow(?:ing)? myself (?:in front of|off|under|down|from)\b|\bwalk(?:ing)? (?:into the (?:sea|river|lake|water|ocean)|onto the (?:tracks|railway|motorway))\b|\bdriv(?:e|ing) (?:off|into) (?:a|the) (?:cliff|bridge|wall|river|lake|tree)\b|\bhose\b[^.!?]{0,25}\bexhaust\b|\b(?:ways?|how|methods?) to (?:die|kill myself|end (?:it|my life))\b|\b(?:takes?|need) to die\b"),
    ("suicide.overdose", "suicide", r"\b(?:going to|gonna|want to|wanna|plan(?:ning)? to|about to|to|i'll|will) (?:overdose|od)\b|\b(?:take|taking|swallow|swallowing|inject|injecting) (?:all (?:of )?(?:my|the)|every|the whole (?:box|bottle|packet) of)\b[^.!?]{0,20}\b(?:pills?|tablets?|meds|medication|paracetamol|insulin|morphine)\b(?! (?:with|as prescribed|on time|in the morning|at night|every|each|daily|regularly|before|after)\b)|\b(?:going to|gonna|i'll|about to) (?:take|swallow) (?:them all|the lot|all of them)\b|\b(?:saving|stockpiling|hoarding|saved) (?:up )?(?:my |the )?(?:pills|tablets|meds|medication|morphine|insulin)\b(?! (?:for|in|into) (?:the|my|a) (?:week|trip|holiday|journey|weekend|organi[sz]er|dosette|pill ?box|box|case))"),
    ("suicide.attempt-recent", "suicide", r"\b(?:i|i've|i have) (?:just |recently )?(?:attempted|overdosed|od'?d|took an overdose|taken an overdose)\b(?! suicide)"),
    ("self-harm.body", "self-harm", r"\b(?:cut|cutting|burn(?:ed|t|ing)?|scratch(?:ed|ing)?|hit(?:ting)?|punch(?:ed|ing)?|bang(?:ed|ing)?|carv(?:e|ed|ing))\b[^.!?]{0,20}\b(?:(?:my|the) )?(?:own )?(?:arms?|wrists?|legs?|thighs?|skin|stomach|body|hands?|head|walls?)\b[^.!?]{0,40}\b(?:on purpose|deliberately|deserved?|until (?:it|they|i|my)|to feel|as (?:a )?punishment|again|tonight)\b|\b(?:slash|slit|cut)(?:ed|ting|s)? (?:my|both) wrists?\b|\binto my (?:own )?skin\b"),
    ("self-harm.cut", "self-harm", r"\b(?:need|needs|want|wants|going|urge|wanna|gonna|tempted|itching) (?:to )?cut\b(?! (?:down|back|out|off|ties|it\b|the|my hair|corners|costs|up|in\b|through|carbs|sugar|the grass))|\bcut again\b|\bcutting (?:is|was|helps|again)\b|\b(?:fresh|new|deep) cuts\b|\bpicking at (?:the |my )?(?:cuts|scabs|wounds)\b|\bsh'?(?:'d|ing)\b|\b(?:use|using) (?:it|them|the (?:blade|knife|razor)) on (?:myself|me)\b"),
    ("self-harm.act-more", "self-harm", rf"\b(?:hit|hitting|punch|punching|starve|starving|starved|bite|biting) {_SELF}\b(?! to death)|\b(?:pills|tablets|meds|overdose)\b[^.!?]{{0,40}}\b(?:on purpose|deliberately)\b"),
    ("harm-others.person", "harm-to-others", r"\b(?:i|i'm|im|i'll|i'd|me|of|want to|wanna|going to|gonna)\b(?:(?!not\b|never\b|n't\b)[^.!?]){0,30}?\b(?:kill|murder|stab|shoot|strangle|smother|suffocate|hurt|harm|attack|beat|hit|poison|run over)(?:ing)? (?:him|her|them|someone|somebody|anyone|people|everyone|dad|mum|mom|my (?:ex|wife|husband|partner|boyfriend|girlfriend|mum|mom|mother|dad|father|step(?:dad|mum|mom|father|mother)|son|daughter|baby|child|kids?|children|boss|manager|neighbou?r|brother|sister|flatmate|roommate|housemate|carer|teacher|family|colleague)s?|the (?:man|woman|guy|bloke|person|people|kids?|children) (?:who|that))\b|\brun (?:him|her|them) over\b|\bburn (?:their|his|her|the) (?:house|flat|home|place) down\b"),
]  # fmt: skip
# Rules whose signal is itself a negation ("don't want to live"): a negation does not cancel them.
NEGATIVE_FORM_RULES = {"rule:suicide.not-live", "rule:suicide.not-wake", "rule:suicide.cant-go-on"}
NEGATIVE_FORM_RULES |= {
    "rule:suicide.death-wish",
    "rule:suicide.if-i-died",
    "rule:suicide.death-better",
    *VEILED_NEGATIVE_FORM,
}
_METHOD = re.compile(
    r"\b(?:\d+\s*(?:pills|tablets|mg|milligrams?|paracetamol|co-?codamol)|overdos(?:e|ing)|"
    r"noose|rope|razor blades?|blades?|bridge|train tracks?|carbon monoxide|bleach|hose ?pipe|"
    r"pills|tablets|insulin|lighter|knife)\b"
)
# A negation within four words before a hit, not across a comma ("I'm not going to lie, I …").
_NEGATION = re.compile(
    r"\b(?:not|never|no|don't|dont|do not|won't|wont|will not|wouldn't|would not|isn't|didn't|"
    r"nobody|no one|(?<!can't )(?<!cant )(?<!cannot )(?<!couldn't )stop(?:ped)?|quit)\b"
    # a negation does not reach over a new clause ("nobody would care if I …")
    r"(?:[^\w,]+(?!(?:if|when|because|cause|than|and|until|unless)\b)[\w']+){0,4}[^\w,]*$"
)
_SELF_THOUGHT = re.compile(
    r"\b(?:i|my (?:head|brain|mind)|voices?)\b[^.!?]{0,30}(?:think|thinking|thought|say|says|tell|"
    r"telling|keeps? saying|whisper\w*|wrote|write|typed)\W*$"
)
_PAST = re.compile(
    r"\b(?:used to|years? ago|months ago|a decade ago|in the past|back then|back in \d{4}|"
    r"in \d{4}|when i was (?:younger|a teen\w*|at school|at uni\w*|\d+|in my \w+|\w+teen|twenty\w*|thirty\w*|forty\w*|fifty\w*)|"
    r"as a teen\w*|at (?:school|uni))\b"
    r"|\b(?:at uni\w*|at college|in my (?:teens|twenties|thirties|forties|fifties)|there was a time|"
    r"that was (?:in )?\d{4}|when \w+ was (?:first )?diagnosed)\b"
)
_RECOVERED = re.compile(
    r"\b(?:recovered|recovery|better (?:place|now)|good place|doing (?:well|ok|okay|better)|"
    r"(?:got|getting|found|asked for) help|(?:am|i'm|im) (?:still )?here|survived|clean for|"
    r"\w+ (?:years?|months?) clean|glad i'm alive|glad to be alive|not anymore|no longer|"
    r"things (?:got|get) better|it gets better|happy now|thriving)\b"
    r"|\b(?:it (?:does|really|will) get better|(?:haven't|have not)\b[^.!?]{0,25}\b(?:since|for (?:over |more than )?"
    r"(?:a|an|\d+|\w+) (?:years?|decades?|months?))|(?:years?|months?|days?) (?:self[- ]harm )?free|"
    r"(?:i'm|i am|im) (?:okay|ok|fine|well) now|(?:healthier|better) ways to cope|(?:got|pulled) me through)\b"
)
_QUOTED = re.compile(r"\"[^\"]{1,400}\"|(?<!\w)'(?:[^']|(?<=\w)'(?=\w)){3,400}'(?!\w)")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|\bbut\b")


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return text.replace("\u201c", '"').replace("\u201d", '"')


@lru_cache(maxsize=1)
def _lexicon_path() -> Path | None:
    spec = importlib.util.find_spec("construct_tracker")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / LEXICON_DIR / LEXICON_FILE
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def lexicon() -> dict[str, list[str]]:
    """The lexicon's entries per construct we use (empty if construct-tracker is not installed)."""
    path = _lexicon_path()
    if path is None:
        return {}
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    body = [r for r in rows if r and r[0].strip().isdigit()]
    wanted = {*FLAGGING_CONSTRUCTS, METHOD_CONSTRUCT}
    entries: dict[str, list[str]] = {}
    for col, name in enumerate(header):
        if name in wanted:
            words = {_normalise(r[col]).strip() for r in body if col < len(r) and r[col].strip()}
            entries[name] = sorted(w for w in words if w not in LEXICON_EXCLUDED)
    return entries


@dataclass(frozen=True)
class _Compiled:
    rules: list[tuple[str, str, re.Pattern[str]]]
    lexicon: re.Pattern[str] | None
    lexicon_construct: dict[str, str]
    methods: re.Pattern[str] | None
    windows: list[tuple[str, str, re.Pattern[str], re.Pattern[str]]]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    rules = [(f"rule:{rid}", cat, re.compile(pattern)) for rid, cat, pattern in RULES]
    rules += compiled_veiled()
    entries = lexicon()
    construct: dict[str, str] = {}
    for name in FLAGGING_CONSTRUCTS:
        for word in entries.get(name, []):
            construct.setdefault(word, name)

    def alternation(words: list[str]) -> re.Pattern[str] | None:
        if not words:
            return None
        ordered = sorted(set(words), key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ordered) + r")\b")

    return _Compiled(rules, alternation(list(construct)), construct,
                     alternation(entries.get(METHOD_CONSTRUCT, [])), compiled_windows())  # fmt: skip


def _unquoted(line: str) -> str:
    """The line with other people's words (quotations) blanked, keeping the writer's own
    thoughts in quotes ("I keep thinking 'I want to die'")."""

    def blank(match: re.Match[str]) -> str:
        if _SELF_THOUGHT.search(line[max(0, match.start() - 60) : match.start()]):
            return match.group(0)
        return " " * len(match.group(0))

    return _QUOTED.sub(blank, line)


def _hits(sentence: str, compiled: _Compiled) -> list[tuple[str, str, int, int]]:
    found = [
        (rid, cat, m.start(), m.end())
        for rid, cat, rx in compiled.rules
        for m in rx.finditer(sentence)
    ]
    if compiled.lexicon is not None:
        for m in compiled.lexicon.finditer(sentence):
            construct = compiled.lexicon_construct[m.group(0)]
            found.append(
                (
                    f"lexicon:{construct}:{m.group(0)}",
                    FLAGGING_CONSTRUCTS[construct],
                    m.start(),
                    m.end(),
                )
            )
    return found


def _sentences(lowered: str) -> list[str]:
    """The writer's own sentences, in order (Markdown quotes dropped, quotations blanked)."""
    out: list[str] = []
    for line in lowered.splitlines():
        if line.lstrip().startswith(">"):
            continue  # a Markdown quote of someone else's post
        out += [s for s in _SENTENCE.split(_unquoted(line)) if s.strip()]
    return out


def _unnegated(rx: re.Pattern[str], sentence: str) -> bool:
    return any(not _NEGATION.search(sentence[: m.start()]) for m in rx.finditer(sentence))


def _window_hits(sentences: list[str], compiled: _Compiled) -> list[tuple[str, str, int]]:
    """Window rules: both halves in one sentence or in two neighbouring ones (the index of the
    first sentence of the pair, for the past-tense check)."""
    found: list[tuple[str, str, int]] = []
    for reason, category, first, second in compiled.windows:
        a = [i for i, s in enumerate(sentences) if _unnegated(first, s)]
        if not a:
            continue
        b = {i for i, s in enumerate(sentences) if _unnegated(second, s)}
        near = [i for i in a if b & {i - 1, i, i + 1}]
        if near:
            found.append((reason, category, near[0]))
    return found


def screen(text: str) -> Screening:
    """Screen one post for suicide, self-harm and harm-to-others language (see the module doc)."""
    compiled = _compiled()
    lowered = _normalise(text)
    reasons: list[str] = []
    categories: list[str] = []
    past_reasons: list[tuple[str, str]] = []
    sentences = _sentences(lowered)
    past = [bool(_PAST.search(s)) for s in sentences]
    found = [
        (reason, category, i)
        for i, sentence in enumerate(sentences)
        for reason, category, start, _end in _hits(sentence, compiled)
        if reason in NEGATIVE_FORM_RULES or not _NEGATION.search(sentence[:start])
    ]
    for reason, category, i in found + _window_hits(sentences, compiled):
        if past[i] or (i + 1 < len(past) and past[i + 1] and reason.startswith("window:")):
            past_reasons.append((reason, category))
            continue
        if reason not in reasons:
            reasons.append(reason)
        if category not in categories:
            categories.append(category)
    recovered = bool(_RECOVERED.search(lowered))
    if past_reasons and not recovered:  # the past alone is not enough: a human reads it
        for reason, category in past_reasons:
            reasons.append(reason) if reason not in reasons else None
            categories.append(category) if category not in categories else None
    lived = bool(past_reasons) and recovered
    methods = bool(_METHOD.search(lowered)) or bool(
        compiled.methods and compiled.methods.search(lowered)
    )
    flagged = bool(reasons)
    return Screening(
        flagged=flagged, reasons=reasons, categories=categories,
        method_details=methods and (flagged or lived), lived_experience=lived and not flagged,
    )  # fmt: skip
