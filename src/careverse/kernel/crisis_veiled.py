"""Veiled crisis language and sentence windows, for :mod:`careverse.kernel.crisis_screen`.

People in crisis often do not name it. Clinical warning signs (perceived burdensomeness,
goodbyes, giving possessions away, putting affairs in order, wishing not to wake up, having the
means and a time) are written here as first-person patterns. A hit gives the reason
``veiled:<sign>``; the post is held for a human and escalated exactly as an explicit one (the
screen cannot tell a veiled crisis from a sad day, a human can).

**Windows.** Some signs are two halves in two sentences: "I have the pills. Tonight is the
night." A window rule is a pair of patterns; it fires when both halves are found in the same
sentence or in two neighbouring ones (``window:<sign>``). Each half goes through the same
negation and quotation handling as every rule (the caller checks the negation).

Written on ``tests/data/crisis_dev_veiled.jsonl`` (the development set), measured on
``tests/data/crisis_heldout.jsonl`` (see docs/moderation.md for the figures and their caveats).
"""

# ruff: noqa: E501  (the patterns read better on one line each)
from __future__ import annotations

import re

_ME = r"(?:i|i'm|im|i am|i've|ive|i'll|i'd|i have|i was)"
_NUM_AGE = r"(?:\w+teen|twenty\w*|thirty\w*|forty\w*|fifty\w*)"

# Finality: "soon", "much longer", "for good", "one last time", "it won't matter" …
FINAL = r"(?:much longer|for (?:much )?longer|for long|(?<!as )soon\b(?! as| enough)|for good|forever|permanently|one last time|(?:it|that|nothing) (?:won't|will not|wouldn't) matter|nothing (?:will|would) matter|won't (?:be )?need(?:ing)? (?:it|them|any)|where i'm going|i can fix that|done being|had enough|it'll (?:all )?(?:stop|be over|end)|it will (?:all )?(?:stop|be over|end)|be free of me|(?:don't|do not|not) (?:want to )?(?:ruin|spoil) (?:it|christmas|\w+'s|his|her|their)|(?:feel|feels|felt) (?:so )?(?:calm|peaceful|at peace)|(?:i'm|i am|feel|feels) at peace|so nobody has to|after i'm gone|the right (?:moment|time))"
# A time: tonight, tomorrow, this weekend, Friday …
TIME = r"(?:tonight|tomorrow|this (?:weekend|evening|afternoon|morning|week)|(?:on |this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|after (?:christmas|new year|the (?:wedding|funeral|holidays|birthday)))"
# Having the means: "I have the pills", "bought a rope", "a stash of morphine".
MEANS = r"\b(?:i have|i've got|i got|i've bought|i bought|bought|got|i've been (?:collecting|saving|stockpiling|hoarding)|collecting|stockpiling|hoarding|stash of|i've found|i found)\b[^.!?]{0,25}\b(?:pills|tablets|meds|medication|morphine|insulin|paracetamol|oxycodone|rope|noose|razor blades?|blade|gun|shotgun|charcoal|helium)\b(?! (?:for|from|with|at|in) (?:the|my|a) (?:week|trip|holiday|journey|weekend|organi[sz]er|dosette|pharmacy|chemist|shop|ladder|swing|treehouse))"
# A plan: "I know how", "everything is ready", "I have everything I need", "made my mind up".
PLAN = r"\b(?:(?:i have|i've got|i've made) a plan\b(?! to (?:get|go|see|try|ask|talk|visit|make|cook|start))|i know (?:how|when)\b(?! to)|everything(?:'s| is) (?:ready|in place|sorted|set)\b(?! for (?:the|my|our|a) (?:party|trip|holiday|move|wedding|surgery|operation|christmas|birthday|appointment))|i have everything i need|(?:i've |i have )?made (?:up )?my mind\b(?! (?:to|about) (?:go|get|try|start|ask|see|change|move))|won't change my mind|(?:i've |i have )?(?:picked|chosen|set) (?:the|a) (?:date|day|time|place)\b(?! for (?:the|our|my) (?:wedding|party|move|surgery|operation|holiday|trip))|i've found the (?:place|way)|(?:going to|gonna|ready to|about to|waiting to|i'll|i will) do it\b(?! (?:with|for|again|properly|right|better|together|anyway|next))|do it myself)"
# Death or dying named, for a plan that points back to it ("… dying. … to do it myself").
DEATH = r"\b(?:dying|death|die|suicide|(?:end|ending) (?:it|my life)|my (?:own )?funeral|not being (?:here|alive))\b"
# Perceived burdensomeness, as the writer says it of themselves.
BURDEN = rf"\b(?:{_ME} (?:just |only |nothing but |such |always )?(?:a|the) (?:burden|weight|drain|problem)\b|{_ME} (?:feel|feeling) like (?:a|the|such a) (?:burden|weight|drain)\b|cost everyone\b|deserves? better than (?:looking after|caring for|putting up with) me\b)"

# (id, category, pattern) for one sentence.
VEILED: list[tuple[str, str, str]] = [
    ("burden", "suicide", r"\b(?:better off|happier|easier|be free|better place)\b[^.!?]{0,25}\b(?:once|when|if|after) (?:i'm|i am|i'd|i) (?:gone|dead|not here|not around|wasn't (?:here|around|in the picture)|weren't (?:here|around|in the picture))\b|\b(?:better off|better place|happier|easier life)\b[^.!?]{0,30}\bwithout (?:me|a (?:mum|mom|dad|mother|father|wife|husband|son|daughter|sister|brother|partner) like me)\b(?! \w+ing\b)|\bwithout me in it\b|\bif i (?:wasn't|weren't) in the picture\b|\bwon't be a (?:burden|problem|weight|bother) (?:much longer|for (?:much )?longer|for long|soon|to anyone (?:much longer|for long|soon))\b|\b(?:nobody|no one|noone|they|(?:he|she) (?:won't|will not)|won't) (?:will )?(?:have to )?(?:worry|worrying) about me (?:for )?(?:much longer|for long|soon|anymore)\b|\b(?:nobody|no one|noone) will have to (?:deal with|look after|care for|worry about|put up with) me\b|\bsoon (?:he'll|she'll|they'll|everyone will|you'll) be free of me\b|\bcope (?:fine|better)?\b[^.!?]{0,15}\bif i (?:just )?(?:wasn't|weren't) (?:here|around)\b"),
    ("goodbye", "suicide", rf"\b{_ME}(?: been)? (?:saying|said) (?:my )?goodbyes?\b(?! to (?:this|that|the|my|our|his|her) (?:old |lovely |little )?(?:wheelchair|car|house|flat|home|job|office|hair|ward|team|bike|chair|crutches|cast|boot|sofa|garden))|^\W*(?:goodbye|bye|farewell) (?:everyone|everybody|all|world|friends|guys)\b(?![^.!?]{0,30}\b(?:see you|back|for now|until|till|for a while|for the (?:week|weekend|summer)))|\b(?:my|this is my|this will be my|this'll be my) (?:last|final) (?:post|message|note|words)\b(?! (?:for a while|for now|until|till|before|of the (?:day|year|week)|today|this (?:week|year|month)|on this thread|about))|\bone last time\b|\bsigning off for good\b|\bif you (?:don't|never) hear from me again\b|\b(?:left|leaving|wrote|written|writing) (?:\w+ )?(?:notes?|letters?) (?:for|to) (?:everyone|my \w+|each of \w+)\b[^.!?]{0,30}\b(?:to find|on the (?:kitchen )?table|for after|later|when i'm gone)\b|\b(?:left|leaving) (?:notes?|letters?) for everyone\b|\bsay (?:bye|goodbye) properly\b|\b(?:please )?tell my \w+ (?:i'm|that i'm|i am) sorry\b|\btake care of each other\b|\blook after (?:yourselves|each other)\b(?! (?:this|over|at|in|during|until|till)\b)|\bthank you for trying\b"),
    ("giving-away", "suicide", r"\b(?:giving|given|gave|give|i'm giving) (?:away )?(?:all |most of )?(?:my|all my) (?:things|stuff|belongings|possessions|jewel\w*|books|clothes|records)(?: away)?\b(?![^.!?]{0,40}\b(?:move|moving|declutter\w*|downsiz\w*|spring clean\w*|anyone want|does anyone|sell\w*|car boot|free to|collect\w*|for the (?:fair|fundraiser|raffle)))|\bgetting rid of (?:everything|all my (?:things|stuff))\b(?![^.!?]{0,40}\b(?:move|moving|declutter\w*|downsiz\w*))|\bwon't (?:be )?need(?:ing)? (?:any of )?(?:it|them|anything) where i'm going\b|\b(?:put|putting|got|getting|have|sorted|sorting) (?:all )?my affairs in order\b(?! (?:for|before) (?:the|my|a|an) (?:trip|holiday|move|journey|operation|surgery|op|transplant|wedding))|\b(?:updated|sorted|written|wrote|made) my will\b[^.!?]{0,40}\b(?:funeral|everything is in order|in order now|so nobody)\b|\bsorted (?:out )?my funeral\b|\bmy funeral wishes\b[^.!?]{0,30}\b(?:in order|sorted|done)\b"),
    ("sleep", "suicide", r"\b(?:close|shut) my eyes and (?:not|never)\b[^.!?]{0,25}\b(?:open|wake)\b|\b(?:go|going|fall|falling) (?:to )?(?:sleep|asleep) and (?:stay asleep|never (?:wake|have to|face|see)|not (?:have to )?(?:wake|face|open)|(?:have|let) (?:it all|everything|it) (?:just )?(?:stop|end))\b|\b(?:just |could )?(?:go to sleep|fall asleep) and stay (?:that way|asleep)\b"),
    ("no-point", "suicide", r"\bno (?:way out|escape|other way)\b[^.!?]{0,30}\b(?:except|other than|but|apart from) (?:one|the (?:obvious|one|only|permanent) one|death|dying|the permanent)\b|\bno way out (?:other than|except|but) (?:the )?(?:obvious|one|death)\b|\b(?:any|no|a) way out (?:other than|except|but) the (?:obvious|permanent|one)\b|\b(?:run|ran) out of reasons to (?:stay|live|keep going|be here|carry on)\b|\b(?:can't|cannot|don't|can not) (?:see|picture|imagine) (?:myself|me) (?:here|alive|around|being here|still here|being alive)\b(?! (?:in|at) (?:this|that|the) (?:job|town|city|house|flat|school|company|group))|\bfuture where (?:i'm|i am) (?:still )?(?:here|alive|around)\b|\bstop trying to (?:stay|stay alive|live|survive)\b|\bnothing left (?:for me )?(?:here|to (?:live|stay|fight) for)\b(?! (?:in|at) (?:the|this) (?:fridge|shop|bank|account))|\bnot (?:going to|gonna) be (?:around|here) (?:much longer|for (?:much )?longer|for long)\b|\b(?:(?:can't|cannot) (?:stay|keep) (?:alive|going|living)|can (?:stay|keep) alive) (?:much longer|for (?:much )?longer|for long)\b|\bhad enough of (?:this |my )?(?:life|living|everything|being alive|it all)\b|\bwant (?:it all|all of (?:it|this)|everything|the pain|this|it) to (?:stop|end)\b[^.!?]{0,15}\b(?:for good|forever|permanently)\b"),
    ("plan", "suicide", r"\bi know how and (?:i know )?when\b|\b(?:sat|sitting|been sitting|sit) in the car\b[^.!?]{0,40}\bengine running\b|\bengine running\b[^.!?]{0,30}\b(?:garage|closed door|shut door)\b|\bhow many (?:\w+ )?(?:paracetamol|pills|tablets|painkillers|sleeping pills) (?:it )?(?:takes|would it take|does it take|it would take|to take to)\b|\b(?:stood|standing|been standing|stand|sat|sitting|been sitting) (?:on|at|near) the (?:edge|ledge|rail|railing|side) of (?:the|a|that) (?:bridge|cliff|platform|roof|building|car park)\b|\bworked out which (?:bridge|building|cliff|train|car park|multi-?storey)\b|\b(?:collecting|stockpiling|hoarding|stashing|been saving) (?:up )?(?:my |the |his |her )?(?:tablets|pills|meds|medication|morphine|insulin|painkillers)\b(?! (?:for|from|with|at|in) (?:the|my|a) (?:week|trip|holiday|journey|weekend|organi[sz]er|dosette|pharmacy|chemist))|\bstash of\b[^.!?]{0,20}\b(?:morphine|pills|tablets|meds|insulin|oxycodone|painkillers)\b|\b(?:this weekend|tonight|tomorrow|this week|soon|on \w+day|this \w+day) it (?:all )?(?:ends|will end|will all be over|will be over)\b"),
    ("self-harm", "self-harm", r"\bthe (?:blade|razor)\b[^.!?]{0,30}\b(?:helps|again|works|is the only)\b|\bdoing the thing with the (?:razor|blade|lighter)\b|\b(?:keep|carry|hide|hid|hidden|hiding) a (?:blade|razor)\b|\bpain on the outside\b|\b(?:marks|cuts)\b[^.!?]{0,30}\b(?:hoodie|long sleeves|sleeves)\b|\blong sleeves in (?:summer|july|august|june|the heat)\b"),
    ("harm-others", "harm-to-others", r"\bmake sure (?:he|she|they) never (?:walks?|comes?|gets?) (?:away|back|up|home)\b|\bwon't see the end of the (?:week|day|month)\b[^.!?]{0,40}\b(?:him|her|them|i'll|i've|i will)\b|\b(?:got|have|i've got) something (?:ready|waiting|planned) for (?:him|her|them)\b|\bhow i'd do it to (?:him|her|them)\b"),
]  # fmt: skip

# (id, category, first half, second half): both in one sentence or in neighbouring ones.
WINDOWS: list[tuple[str, str, str, str]] = [
    ("means-time", "suicide", MEANS, rf"^\W*{TIME}\W*$|\b(?:do it|take (?:them|it) all|take all of (?:them|it)|all of them|the lot|use (?:it|them))\b[^.!?]{{0,20}}\b{TIME}\b|\b(?:tonight|tomorrow)(?: is| will be|'s)? the (?:night|day)\b|\b(?:got |have )?enough (?:now|of them|to (?:do it|die|end it))\b|\bi know what i'm (?:doing|going to do) with (?:it|them)\b|{FINAL}"),
    ("plan-final", "suicide", PLAN, rf"\b{FINAL}\b|\b(?:after that|then) (?:it|nothing) (?:won't|will not|wouldn't|doesn't) matter\b|\bwhen the house is empty\b|\bhouse to be empty\b"),
    ("death-plan", "suicide", DEATH, r"\b(?:(?:going to|gonna|about to|ready to|waiting to|to|i'll|i will) do it\b(?! (?:with|for|again|properly|together|anyway))|do it (?:myself|tonight|tomorrow|soon|this (?:weekend|week)))"),
    ("burden-final", "suicide", BURDEN, rf"\b{FINAL}\b|\b(?:not|won't be) for (?:much )?longer\b|\bit'll stop\b|\bsoon (?:he|she|they|everyone) (?:won't|will not) have to\b"),
    ("goodbye-final", "suicide", r"\b(?:said|saying|say) (?:goodbye|bye)\b|\bthank you (?:all )?for (?:everything|being my friends?)\b|\bi love (?:you|her|him|them) all\b", r"\b(?:the hardest part|for good|forever|take care of each other|look after yourselves|won't (?:get|have) the chance|last (?:time|post|message)|signing off for good|it's not your fault)\b"),
    ("giving-final", "suicide", r"\b(?:gave|given|giving|handed|rehomed|new home for) (?:away )?(?:my|all my|most of my)\b", rf"\b(?:won't (?:be )?(?:needing|need|driving|using|wearing|playing|reading) (?:them|it|anything|anywhere|any of)|(?:he'll|she'll|it'll|they'll) be (?:better looked after|better off)|it felt right|felt right|{FINAL})\b"),
]  # fmt: skip

# Signs whose own words are a negation ("I'm not going to be around much longer").
NEGATIVE_FORM = {"veiled:no-point"}


def compiled_veiled() -> list[tuple[str, str, re.Pattern[str]]]:
    return [(f"veiled:{rid}", cat, re.compile(p)) for rid, cat, p in VEILED]


def compiled_windows() -> list[tuple[str, str, re.Pattern[str], re.Pattern[str]]]:
    return [(f"window:{rid}", cat, re.compile(a), re.compile(b)) for rid, cat, a, b in WINDOWS]


PAST_AGE = re.compile(rf"\bwhen i was {_NUM_AGE}\b")
