"""What may be a person's name: a warning the author can overrule, never a refusal.

Names cannot be told from places with certainty ("Chelsea", "Florence", "St George's"), so this
is a first-name lexicon plus context:
- a capitalised word in a first-name lexicon (gender-guesser's, 46,000 names from 50
  countries), unless it is an everyday word ("Will", "May") or
  part of a place ("St Mary's", "Grace House", "Victoria Station");
- any capitalised word right after a relation or a title ("her brother Tyrese", "known as Ziggy",
  "Mr Okafor"), and a capitalised word right after a name (a surname);
- an allowlist of agencies, services, hospitals and places, which a round file can extend.
"""

import importlib.resources
import re
from collections.abc import Iterable, Iterator
from functools import cache

Span = tuple[int, int]

# gender-guesser ships Jörg Michael's dictionary of first names (about 46,000, from 50 countries
# with their frequency in each): small, on PyPI, and read here as plain data.
_LEXICON = ("gender_guesser", "data/nam_dict.txt")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Everyday English words (and titles of things) that are also first names: a capital at a
# sentence's start or in a heading is not enough for these.
COMMON_WORDS = _words(
    """
    will may june april august mark bill sue pat grace hope joy faith dawn rose amber summer
    autumn holly ivy iris lily daisy poppy hazel heather jade ruby pearl crystal sky skye
    river rain storm ray rich chase hunter mason major miles price frank earl guy jack jean
    sandy rusty art carol don drew gene gay honey ginger candy cherry penny misty sunny star
    angel brook brooke bay bud bo ben ted tom harry max rex page paris london chelsea jersey
    india china kenya georgia florence victoria sydney austin dallas denver houston lincoln
    jordan devon kent bristol derby york lourdes lorraine carmen may-be wade tyne dee cam
    evan job case court lane hall young white black green brown long king queen prince
    princess duke earl baron lord lady knight bishop dean parish chancellor marshal sterling
    faith constance patience prudence charity mercy liberty trinity destiny harmony melody
    unique precious blessing gift favour peace wisdom justice verity genesis nevaeh
    """
) - {"ben", "ted", "tom", "harry", "max", "jack", "evan", "sue", "bill"}

# Words that open sentences and that the lexicon holds among its 46,000 ("The", "In"): never a name.
STOP = _words(
    """
    the in an a on at to of and or by for with from but as if so no yes not nor he she it we
    they you i me him his her hers its our their them this that these those there then than
    when where while why how what who whom which after before during following between both
    all any each every some one two three four five six seven eight nine ten first second
    third last next previous mum dad mother father also although though however despite
    since until unless because about above below over under again further once here only own
    same such too very can could would should might must shall did does done doing has had
    have having was were be been being is are am do up down out off into onto upon within
    without through throughout towards toward across along around among per via staff home
    visit visits social worker workers child children family parent parents mr mrs ms miss mx dr
    general see note please thank thanks ok okay well good better best new old more most less
    many much other another overall key main early late later earlier today tomorrow yesterday
    now still yet just even never always often sometimes nothing none everyone someone nobody
    skip due run edit tell send rewrite done keep submit review ask call check read write
    """
)

# Agencies, services, hospitals, places and other capitalised words of audit narratives that are
# not people. Matched on single words (lower case); a round file adds its own.
ALLOW = _words(
    """
    police csc camhs mash icb gp gps nhs send sen senco ehcp ehc dsl dfe ofsted ilacs lado
    marac mappa cin cp cla lac pep iro yos yot ypp lscp nspcc childline samaritans barnardos
    cafcass shelter refuge oxleas bromley lewisham greenwich bexley croydon southwark
    lambeth lambeth wandsworth sutton merton kingston richmond hounslow ealing brent barnet
    harrow hillingdon enfield haringey islington camden hackney tower hamlets newham
    redbridge havering barking dagenham waltham forest westminster kensington hammersmith
    fulham london england wales scotland ireland britain uk beckenham orpington penge
    anerley chislehurst sidcup woolwich catford deptford peckham brixton stratford kent
    surrey essex sussex manchester birmingham leeds liverpool sheffield bristol leicester
    nottingham coventry bradford princess royal university hospital kings king's college
    evelina lewisham guy's thomas' maudsley bethlem queen mary's elizabeth alder hey great
    ormond street st saint jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed
    thu thur thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    christmas easter ramadan eid diwali autumn spring summer winter term year reception
    nursery primary secondary academy school college sixth form early help hub service
    services team unit ward a&e ed mental health social care children's family families
    youth offending justice virtual housing education health safeguarding partnership board
    strategy meeting conference core group section child adult sibling young person case
    audit agency referral assessment plan review report court family fgc tac tam caf dv da
    idva isva cse cce county lines paediatrician paediatric health visitor midwife midwifery
    school nurse gp surgery clinic practice pharmacy dentist council borough district trust
    foundation hospital centre
    """
)

# Words after which a capitalised word is someone's name, and titles before a surname.
_RELATIONS = _words(
    """
    mum mother mom mam mummy dad father daddy stepdad step-dad stepfather step-father stepmum
    step-mum stepmother step-mother brother sister half-brother half-sister sibling twin
    grandmother grandma gran granny nan nana nanny grandad granddad grandfather grandpa uncle
    aunt aunty auntie cousin partner boyfriend girlfriend ex-partner husband wife friend carer
    son daughter baby niece nephew neighbour lodger godmother godfather stepbrother stepsister
    called named nicknamed aka a.k.a alias mr mrs ms miss mx dr master
    """
)
_RELATION_PAIRS = frozenset({("known", "as"), ("goes", "by"), ("best", "friend")})
_PLACE_WORDS = frozenset({"st", "saint", "queen", "king", "prince", "princess", "lady", "mount"})
_CAP = re.compile(r"(?<![\w'’\-])([A-Z](?:[a-z]*['’][A-Z])?[a-z'’]+(?:-[A-Z][a-z'’]+)?)(?![\w\-])")
_PLACE_AFTER = re.compile(
    r"(?:'s)?\s+(?:Hospital|School|Academy|Primary|Secondary|College|University|Road|Street|"
    r"Avenue|Lane|House|Centre|Center|Ward|Unit|Station|Court|Park|Square|Gardens|Close|Way|"
    r"Estate|Hall|Church|Surgery|Practice|Clinic|Trust|Foundation|Nursery|Infants|Juniors|"
    r"Children's|Library|Tower|Lodge|Place|Drive|Green|Hill|Heath|Common|Bridge|Terrace|Line|"
    r"Crescent|Grove|Medical|Health|Family|Hub|Team|Service|Services|Project|Trust)\b"
)
_PUNCT = "\"'“”‘’()[],:;"  # round a word before a capital: ("St George's"), (mum Kelly)
_SENTENCE_END = frozenset('.!?:;"“(•*-')


@cache
def first_names() -> frozenset[str]:
    """The lexicon, lower case: read once (a few tens of milliseconds)."""
    package, path = _LEXICON
    found: set[str] = set()
    data = importlib.resources.files(package).joinpath(path).read_text(encoding="iso-8859-1")
    for line in data.splitlines():
        if line.startswith("#") or len(line) < 30 or line[0] == "=":
            continue  # comments, and "=" lines (two spellings of one name)
        word = line[3:29].strip()
        if word.isascii() and word.isalpha() and len(word) > 1:
            found.add(word.lower())
    return frozenset(found)


def _bare(word: str) -> str:
    """Lower case, without a possessive ("Kyle's" -> "kyle")."""
    low = word.lower()
    return low[:-2] if low.endswith(("'s", "’s")) else low.rstrip("'’")


def _allowed(word: str, allow: frozenset[str]) -> bool:
    low = _bare(word)
    return low in ALLOW or low in allow or low in STOP


def names(text: str, allow: Iterable[str] = ()) -> Iterator[Span]:
    """Spans that may be a person's name (first name, with a surname right after it)."""
    extra = frozenset(w.lower() for phrase in allow for w in phrase.split())
    lexicon = first_names()
    caps = list(_CAP.finditer(text))
    if not caps:
        return
    i = 0
    while i < len(caps):
        m = caps[i]
        word = m.group(1)
        low = _bare(word)
        if low in ALLOW or low in STOP or low in extra:  # most capitals: agencies, "The", months
            i += 1
            continue
        # The two words before it, read from a short slice (cheaper than a regex over the text).
        head = text[max(0, m.start() - 30) : m.start()]
        prev = head.split()[-2:]
        words = [w.lower().strip(_PUNCT) for w in prev]
        last = words[-1] if words else ""
        last = last[:-2] if last.endswith(("'s", "’s")) else last
        pair = tuple(words)
        stripped = head.rstrip()
        start_of_sentence = not stripped or stripped[-1] in _SENTENCE_END or "\n" in head[-2:]
        in_place = last.rstrip(".") in _PLACE_WORDS or _PLACE_AFTER.match(text, m.end())
        by_context = (last.rstrip(".") in _RELATIONS and not head.endswith("\n")) or (
            pair in _RELATION_PAIRS
        )
        if (
            start_of_sentence
            and stripped
            and stripped[-1] == "."
            and last.rstrip(".") in {"mr", "mrs", "ms", "dr", "st", "mx"}
        ):
            start_of_sentence = False  # "Mr. Okafor": the full stop ends a title, not a sentence
        hit = False
        if not _allowed(word, extra) and not in_place:
            if by_context:
                hit = True
            elif low.split("-")[0] in lexicon and (
                low not in COMMON_WORDS or not start_of_sentence
            ):
                hit = True  # an everyday word is a name when capitalised mid-sentence
            elif (
                low in lexicon
                and i + 1 < len(caps)
                and text[m.end() : caps[i + 1].start()] == " "
                and not _allowed(caps[i + 1].group(1), extra)
            ):
                hit = True  # "Jordan Patel": an everyday word is a name when a surname follows
        if not hit:
            i += 1
            continue
        end = m.end()
        # A capitalised word straight after is taken as the surname ("Jayden Smith").
        if (
            i + 1 < len(caps)
            and text[m.end() : caps[i + 1].start()] == " "
            and not _allowed(caps[i + 1].group(1), extra)
            and not _PLACE_AFTER.match(text, m.end())
        ):
            i += 1
            end = caps[i].end()
        yield m.start(), end
        i += 1
