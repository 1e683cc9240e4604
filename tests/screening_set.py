"""A labelled set for the identifier guard: synthetic UK audit narratives, all invented.

Each sample is (text, hard kinds it contains, whether it contains a person's name). Hundreds come
from templates filled with identifiers in every usual written form (seeded, so the set is the
same on every run); the rest are hand-written narratives as auditors write them. Clean samples
carry the traps: agency and place names, meeting dates, case references (C3, Child A), 10-digit
references that fail the NHS check, public helplines.

Used by tests/test_screening_set.py (the targets) and bench/screen_bench.py (the speed).
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from stdnum.gb import upn


@dataclass(frozen=True)
class Sample:
    text: str
    kinds: frozenset[str]  # hard kinds present
    name: bool = False  # a person's name is present


def _s(text: str, *kinds: str, name: bool = False) -> Sample:
    return Sample(text, frozenset(kinds), name)


# ---- identifiers in their written forms
def nhs_number(rng: random.Random) -> str:
    while True:
        d = [rng.randrange(10) for _ in range(9)]
        check = 11 - sum(x * w for x, w in zip(d, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            s = "".join(map(str, d)) + str(check)
            return rng.choice(
                [
                    f"{s[:3]} {s[3:6]} {s[6:]}",
                    f"{s[:3]} {s[3:7]} {s[7:]}",
                    f"{s[:3]}-{s[3:6]}-{s[6:]}",
                    f"{s[:3]}.{s[3:6]}.{s[6:]}",
                    f"{s[:3]}  {s[3:6]}  {s[6:]}",
                    s,
                    f"{s[:3]} - {s[3:6]} - {s[6:]}",
                    f"{s[:4]} {s[4:7]} {s[7:]}",
                ]
            )


def failing_reference(rng: random.Random) -> str:
    """Ten digits that fail the NHS check (a case-management or crime reference)."""
    while True:
        s = "".join(str(rng.randrange(10)) for _ in range(10))
        d = [int(c) for c in s]
        check = 11 - sum(x * w for x, w in zip(d[:9], range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != d[9]:
            return s


def phone(rng: random.Random) -> str:
    n = rng.randrange(1000)
    m = f"{n:03d}"
    return rng.choice(
        [
            f"07700 900{m}",
            f"07700900{m}",
            f"07700 900 {m}",
            f"0770 090 0{m}",
            f"+44 7700 900{m}",
            f"+44 (0)7700 900{m}",
            f"+447700900{m}",
            f"0044 7700 900{m}",
            f"07700-900-{m}",
            f"(07700) 900{m}",
            f"020 7946 0{m}",
            f"(020) 7946 0{m}",
            f"020-7946-0{m}",
            f"+44 20 7946 0{m}",
            f"0113 496 0{m}",
            f"0161 496 0{m}",
            f"01632 960{m}",
            f"0117 496 0{m}",
            f"028 9649 6{m}",
            f"029 2018 0{m}",
        ]
    )


_PEOPLE = ["jo.bloggs", "k.smith", "mum1985", "sarah_t", "dwhite", "jay.k2010", "tina.r"]


def email(rng: random.Random) -> str:
    who = rng.choice(_PEOPLE)
    return rng.choice(
        [
            f"{who}@example.com",
            f"{who}@nhs.net",
            f"{who} at nhs dot net",
            f"{who}[at]outlook[dot]com",
            f"{who} (at) gmail (dot) com",
            f"{who} AT hotmail DOT co DOT uk",
            f"{who} @ yahoo.co.uk",
            f"{who}[at]bromley[dot]gov[dot]uk",
            f"{who}@school.sch.uk",
        ]
    )


_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def ni_number(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    d = "".join(str(rng.randrange(10)) for _ in range(6))
    suffix = rng.choice("ABCD")
    return rng.choice(
        [
            f"{prefix}{d}{suffix}",
            f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {suffix}",
            f"{prefix.lower()} {d} {suffix.lower()}",
            f"{prefix}-{d[:2]}-{d[2:4]}-{d[4:]}-{suffix}",
            f"{prefix} {d} {suffix}",
        ]
    )


_LA = [201, 202, 305, 306, 330, 800, 801, 850, 886, 919, 936]


def pupil_number(rng: random.Random) -> str:
    body = f"{rng.choice(_LA)}{rng.randrange(10**9):09d}"
    last = rng.choice(["", "A"]) if rng.random() < 0.2 else ""
    body = body[:-1] + last if last else body
    number = upn.calc_check_digit(body) + body
    return rng.choice([number, number.lower(), f"{number[:4]} {number[4:8]} {number[8:]}"])


_MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def date(rng: random.Random, year: int | None = None) -> str:
    y = year or rng.randrange(2006, 2024)
    m = rng.randrange(1, 13)
    d = rng.randrange(1, 29)
    month = _MONTH_NAMES[m - 1]
    suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(d, "th")
    return rng.choice(
        [
            f"{d:02d}/{m:02d}/{y}",
            f"{d}/{m}/{y % 100:02d}",
            f"{d:02d}.{m:02d}.{y}",
            f"{d}-{m}-{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d}{suffix} {month} {y}",
            f"{d} {month[:3]} {y}",
            f"{d}{suffix} of {month} {y}",
            f"{month} {d}{suffix}, {y}",
            f"{month} {d} {y}",
            f"{d} {month[:3]}. {y}",
        ]
    )


_FIRST = [
    "Jayden", "Kelly", "Tyler", "Shannon", "Mohammed", "Aisha", "Oliwia", "Kacper", "Leon",
    "Chantelle", "Kyle", "Demi", "Riley", "Tyrese", "Precious", "Ibrahim", "Zara", "Callum",
    "Keira", "Mason", "Logan", "Ellie", "Darius", "Andrei", "Priya", "Arjun", "Fatima", "Jordan",
    "Connor", "Courtney", "Bradley", "Lacey", "Reece", "Paige", "Kayden", "Amelia", "Noah",
    "Sophie", "Kieran", "Jade", "Dwayne", "Nathan", "Shanice", "Marcus", "Ruby", "Alfie",
]  # fmt: skip
_SURNAMES = [
    "Smith", "Okafor", "Kowalski", "Patel", "Hughes", "Begum", "Ahmed", "O'Neill", "Clarke",
    "Mensah", "Nowak", "Walsh", "Campbell", "Popescu", "Khan", "Evans", "Osei", "Murphy",
]  # fmt: skip
_STREETS = [
    "High Street", "Acacia Avenue", "Church Road", "Station Rd", "Elm Grove", "Mill Lane",
    "Park View Close", "Victoria Crescent", "Oak Tree Gardens", "Chapel St", "Meadow Way",
    "Kings Drive", "Albert Terrace", "Orchard Mews", "Queens Road", "Hawthorn Close",
]  # fmt: skip


def address(rng: random.Random) -> str:
    n = rng.randrange(1, 240)
    street = rng.choice(_STREETS)
    return rng.choice(
        [
            f"{n} {street}",
            f"Flat {rng.randrange(1, 30)}, {n} {street}",
            f"{n}a {street}",
            f"flat {rng.randrange(1, 30)} {n} {street}",
            f"{n} {street.lower()}",
            f"Flat {rng.randrange(1, 30)}, {rng.choice(['Jubilee', 'Nelson', 'Cedar'])} House",
        ]
    )


# ---- sentences around them
_NHS_T = [
    "Child's NHS number {x} was on the referral.",
    "GP records under {x} show no attendance since spring.",
    "The health visitor quoted NHS no. {x} in her chronology.",
    "Records were matched on {x} before the strategy meeting.",
    "NHS: {x}",
    "The ED notes list the child as {x} and record two previous attendances.",
]
_PHONE_T = [
    "Mum can be reached on {x} most afternoons.",
    "The school rang dad on {x} but there was no answer.",
    "Contact number for the grandparent is {x}.",
    "Tel: {x}",
    "Police tried the mobile {x} three times.",
    "Her new number ({x}) was shared with the social worker.",
]
_EMAIL_T = [
    "Mum's email is {x} and she prefers it to letters.",
    "The referral came from {x} on a Friday evening.",
    "Contact: {x}",
    "Dad asked for copies to be sent to {x}.",
    "The young person messaged from {x} asking for help.",
]
_NI_T = [
    "Mum's NI number {x} was used for the benefits check.",
    "National Insurance number: {x}",
    "DWP confirmed the claim under {x}.",
    "Father's NINO {x} appears on the housing application.",
]
_UPN_T = [
    "The school's records (UPN {x}) show persistent absence.",
    "UPN: {x}",
    "Pupil {x} was placed on a reduced timetable in Year 8.",
    "The CME referral gave the UPN as {x}.",
]
_DOB_T = [
    "The child was born on {d}.",
    "DOB {d}.",
    "D.O.B. {d}; lives with mother.",
    "Date of birth: {d}",
    "Young person ({d} DOB) was open to CAMHS.",
    "Her birthday is {d} and she was excited about a party.",
    "Baby was born {d} at 34 weeks.",
    "He was born in hospital on {d} and discharged home.",
    "Sibling b. {d} lives with the paternal grandmother.",
    "Date of birth given as {d} on the school census.",
    "Born {d}, the youngest of four children.",
    "dob: {d}",
]
_ADDRESS_T = [
    "The family moved to {x} in the summer.",
    "Police attended {x} after a call from a neighbour.",
    "Mum now lives at {x} with her new partner.",
    "Address: {x}",
    "The home visit to {x} found the property cold and without food.",
    "Emergency accommodation was arranged at {x}.",
]
_NAME_T = [
    "Her brother {f} was present at the visit.",
    "Mum {f} said she was struggling to cope.",
    "{f} {s} attended the strategy meeting as the child's father.",
    "The child's friend {f} disclosed the concern to a teacher.",
    "He is known as {f} by his friends.",
    "Mr {s} refused to let the social worker in.",
    "Mum's partner {f} has previous convictions for violence.",
    "The school spoke to {f} about the bruise on his arm.",
    "{f} was excluded twice in the autumn term.",
    "Grandmother {f} {s} has parental responsibility.",
    "A referral was made after {f} told her teacher she was hungry.",
    "The auditor noted that {f} {s} was not invited to the review.",
    "Mrs {s} raised the concern with the GP.",
    "Police spoke with {f} and his stepdad at the address.",
]
_CLEAN_T = [
    "A strategy meeting was held on {meet} with Police, CSC and health.",
    "Case C{c} was stepped down to Early Help on {meet}.",
    "Child A was seen at Princess Royal University Hospital in {month}.",
    "The referral to the MASH on {meet} was not progressed for three weeks.",
    "Police crime reference {ref} was shared with Children's Social Care.",
    "The case management reference {ref} appears on every contact.",
    "Mum was given the Childline number 0800 1111 and the NSPCC helpline 0808 800 5000.",
    "She was advised to call Samaritans on 116 123 if she felt unsafe at night.",
    "In an emergency the family were told to call 999, or 101 for non-urgent police matters.",
    "NHS 111 was used twice in {month} for the younger sibling.",
    "CAMHS accepted the referral on {meet} after a second assessment.",
    "The Virtual School head attended the PEP meeting on {meet}.",
    "Oxleas NHS Foundation Trust provided the health chronology.",
    "Bromley Y offered counselling but the young person did not engage.",
    "Child B attended Kings College Hospital A&E twice in {month}.",
    "The pre-birth assessment was completed on {meet}, before the baby was born.",
    "An unborn baby was subject to a pre-birth conference on {meet}.",
    "Sibling 2 moved to a secondary school in Lewisham in September.",
    "The Youth Offending Service held 3 sessions between {meet} and {meet2}.",
    "Housing placed the family in temporary accommodation in Croydon for 6 weeks.",
    "The initial child protection conference on {meet} agreed a plan under neglect.",
    "St George's Hospital shared the discharge summary with the GP surgery.",
    "Child C was known to the Evelina children's hospital for asthma.",
    "Queen Elizabeth Hospital Woolwich made a referral on {meet}.",
    "The LADO was consulted on {meet} about a member of staff.",
    "At the core group on {meet} 4 of 6 agencies attended.",
    "The school nurse saw the young person 2 times in the spring term.",
    "Section 47 enquiries began on {meet} and concluded on {meet2}.",
    "The health visitor completed the 6-8 week check late, in {month}.",
    "Attendance was 62% in Year 9 and fell to 41% by Christmas.",
    "Case C{c}: the GP was not invited to the strategy discussion on {meet}.",
    "The family were signposted to Family Lives on 0808 800 2222.",
    "The young person was given the Missing People number, 116 000.",
    "She called the National Domestic Abuse Helpline on 0808 2000 247.",
    "The referral (ref {ref}) was closed with no further action.",
    "A MARAC referral was made on {meet} following a high-risk DASH.",
    "Child D went missing from home 3 times between {month} and {month2}.",
    "The EHCP annual review was due in {month} but was held on {meet}.",
    "Police attended the family home on {meet} after a 999 call at 23:40.",
    "Paediatric assessment at Lewisham Hospital found no injuries.",
    "Funding of £250 was agreed for school uniform in {month}.",
    "The auditor graded the agency's work as Requires Improvement to be Good.",
    "The Child in Need plan was reviewed on {meet} and again on {meet2}.",
    "Information sharing between Housing and CSC was delayed by 10 days.",
    "The Early Help Hub allocated a family support worker in {month}.",
    "A return home interview was offered by Barnardo's on {meet}.",
    "The case was transferred from Greenwich on {meet}; records arrived in {month}.",
    "Referral received 14:05 on {meet}, triaged by 16:30 the same day.",
    "Birth parents were not consulted about the placement in {month}.",
    "The midwife raised concerns at the 20 week scan on {meet}.",
]

_HAND_POSITIVE = [
    _s("Mum (DOB 03/07/1989) was not spoken to separately.", "date_of_birth"),
    _s(
        "Ayesha was born on the 4th of May 2016 and started Reception in 2020.",
        "date_of_birth",
        name=True,
    ),
    _s("The GP letter was addressed to 41 Cedar Gardens, Penge.", "address"),
    _s("Dad gave his mobile as 07700 900 461 and asked not to be called at work.", "phone"),
    _s("Contact via k.okafor at hotmail dot co dot uk only.", "email"),
    _s("The housing file held NI number JT 48 21 93 B for the mother.", "ni_number"),
    _s("The NHS number on the discharge letter was 485 777 0008.", "nhs_number"),
    _s("School census lists the UPN as B801200005001.", "upn"),
    _s("The child's dob was given as 17.11.2014 in the police report.", "date_of_birth"),
    _s("Police attended Flat 7, 19 Nelson Road at 02:10.", "address"),
    _s("Her big sister Kayleigh collected her from school most days.", name=True),
    _s("Kyle's mum asked for the meeting to be moved.", name=True),
    _s("The boys were seen with a man known as Smudge near the station.", name=True),
    _s("Ms Adebayo said the children were fine and closed the door.", name=True),
    _s("Dylan told the teaching assistant that his uncle Dean hits him.", name=True),
    _s("Paternal grandmother Sheila Walsh is the main carer.", name=True),
    _s("The referral was phoned through on 0208 946 0321 by a neighbour.", "phone"),
    _s("Birthday: 2nd Feb 2011.", "date_of_birth"),
    _s("The family live at 12 Hawthorn Close, BR3 4AB.", "address", "postcode"),
    _s("Email from sarah_t[at]gmail[dot]com to the duty desk went unanswered.", "email"),
    _s("The young person, Leon, disclosed the assault on a Tuesday.", name=True),
    _s("Mum's partner Gary was not assessed before moving in.", name=True),
    _s("A note said the child was born 2015-06-30 and was small for her age.", "date_of_birth"),
    _s(
        "The pupil's number, e 201 2000 50011 was quoted by the attendance officer.",
    ),
]
_HAND_CLEAN = [
    "The strategy meeting on 12 March 2024 was well attended and actions were clear.",
    "Police and CSC shared information promptly; health were not invited to the first meeting.",
    "The auditor found good evidence of the child's voice in the CAMHS records.",
    "Drift of 6 weeks followed the transfer from the Assessment Team to the Children in Care team.",
    "The school DSL made a timely referral and followed it up in writing.",
    "There was no record of the pre-birth assessment being shared with the midwife.",
    "Housing did not know the family were open to Children's Social Care until May.",
    "The GP practice had no alert on the record until after the conference.",
    "Case C7 shows how Early Help can work well when the lead professional is consistent.",
    "Child A's views were recorded at every visit, in her own words.",
    "The health visitor escalated her concerns to the named nurse on 3/4/24.",
    "Between January and June the family had 4 different social workers.",
    "The Youth Offending Service and CAMHS held a joint review in July.",
    "The return home interview was not offered within 72 hours.",
    "Records from Oxleas and the ICB agree on the chronology.",
    "Attendance at the Virtual School's training was 80% across agencies.",
    "The ICPC on 14/02/2024 was held within 15 working days.",
    "Mum said she would ring the NSPCC helpline if things got worse.",
    "The child protection plan ended in August after two reviews.",
    "Police held the crime reference 4412097753 and shared it with the school.",
    "The child was open to CAMHS from Year 7 to Year 9.",
    "St Thomas' Hospital provided the paediatric overview.",
    "Information sharing at the front door was good; feedback to referrers was poor.",
    "The case was stepped down on 01/09/2023 without a multi-agency meeting.",
    "Grace House refuge accepted the referral for mum and the children.",
    "The Evelina London team shared a detailed summary.",
    "Duty and Assessment picked up the contact the same day.",
    "The team manager signed off the assessment on 28.07.23.",
    "The auditor could find no record of a management oversight decision.",
    "Sibling 1 and Sibling 2 were seen together rather than alone.",
]

# Written after the rules were tuned on everything above, and kept apart in the figures: the
# honest estimate of how the guard does on narratives it was not fitted to.
HELD_OUT = [
    _s("Mother's mobile, 07700 900 872, was on the front sheet of the referral.", "phone"),
    _s("The referral gave dad's number as 0 7700 900 318.", "phone"),
    _s("Reach the aunt on +44 7700-900-229 after 6pm.", "phone"),
    _s("A neighbour on 01632 960 415 reported shouting most nights.", "phone"),
    _s("Correspondence went to t.brennan at btinternet dot com.", "email"),
    _s("Her school email (k.nowak2011@stmarks.sch.uk) was used to groom her.", "email"),
    _s("He used jaydz99 [at] icloud [dot] com for the gaming account.", "email"),
    _s("The NHS number 401 023 2137 appears in the discharge summary.", "nhs_number"),
    _s("ED recorded him under 4010232137.", "nhs_number"),
    _s("Mum's NINO is PR 45 67 12 A according to the DWP letter.", "ni_number"),
    _s("The benefit claim was under national insurance no. HK 61 23 90", "ni_number"),
    _s(
        "Pupil number H801 2000 05001 appears on the attendance letter.",
    ),
    _s("Date of Birth - 30th September 2013.", "date_of_birth"),
    _s("Baby (born 02/01/24) was not seen by the health visitor for 10 weeks.", "date_of_birth"),
    _s("The older sibling's d.o.b. is 5 June 2009.", "date_of_birth"),
    _s("Both children were born in March 2017, twins.", "date_of_birth"),
    _s("The family were rehoused to 7 Bramble Walk in the autumn.", "address"),
    _s("Visits took place at 118b Lower Road until the eviction.", "address"),
    _s("Flat 2, 9 Orchard Close was the last known address.", "address"),
    _s("Police were called to 60 Kingsway Avenue twice in a week.", "address"),
    _s("Her brother Marcus was said to be supplying cannabis.", name=True),
    _s("The child was collected by auntie Bernadette after school.", name=True),
    _s("Olamide told the school nurse that she was scared to go home.", name=True),
    _s("Step-dad Craig Jennings has not been assessed.", name=True),
    _s("Social worker spoke with Mrs Kowalczyk through an interpreter.", name=True),
    _s("The young person goes by Frankie and uses they/them pronouns.", name=True),
    _s("Her boyfriend, Ricky, is 19 and known to the police.", name=True),
    _s("Teachers described Harvey as withdrawn after Christmas.", name=True),
    _s("Mum's friend Tasha was looking after the children that weekend.", name=True),
    _s(
        "It was Nan who raised the alarm, not the school.",
    ),
    _s("The strategy discussion on 9 October 2024 did not include Education."),
    _s("Police reference 2709155521 relates to the November incident."),
    _s("CSC held the case for 18 months before a step down to Early Help."),
    _s("Health were represented by the Designated Nurse at the conference."),
    _s("The auditor noted good use of the neglect toolkit in Bexley."),
    _s("Kings College Hospital and the GP shared records within a day."),
    _s("The child attended Mayday Hospital after a fall from a trampoline."),
    _s("Victoria Station was where BTP found the young person at 01:30."),
    _s("The round covered referrals received between 1 April and 30 September 2024."),
    _s("A Child and Family Assessment was completed on 12.06.2024."),
    _s("He was advised to text Shout on 85258 or call Childline on 0800 1111."),
    _s("The MASH manager agreed the threshold was met on the same day."),
    _s("The family was supported by Home-Start Bromley and the Children and Family Centre."),
    _s("Case C4 had 3 social workers in 5 months; Child B had 1 throughout."),
    _s("No birth plan was in place when the baby arrived at 38 weeks."),
    _s("Attendance improved to 91% after the Education Welfare Officer visited."),
    _s("Guy's and St Thomas' shared the toxicology results on 18/07/24."),
    _s("The Police Protection Order lapsed after 72 hours."),
    _s("The decision was made by the Head of Service on 28 Feb 2024."),
    _s("Rose Court, the supported accommodation provider, reported she was missing."),
]


def build(seed: int = 9) -> list[Sample]:
    """The whole labelled set (the same every time for one seed)."""
    rng = random.Random(seed)
    out: list[Sample] = []

    def fill(
        templates: list[str], kind: str, make: Callable[[random.Random], str], count: int
    ) -> None:
        for i in range(count):
            out.append(_s(templates[i % len(templates)].format(x=make(rng)), kind))

    fill(_NHS_T, "nhs_number", nhs_number, 80)
    fill(_PHONE_T, "phone", phone, 100)
    fill(_EMAIL_T, "email", email, 80)
    fill(_NI_T, "ni_number", ni_number, 60)
    fill(_UPN_T, "upn", pupil_number, 60)
    fill(_ADDRESS_T, "address", address, 80)
    for i in range(120):
        out.append(_s(_DOB_T[i % len(_DOB_T)].format(d=date(rng)), "date_of_birth"))
    for i in range(140):
        t = _NAME_T[i % len(_NAME_T)]
        out.append(_s(t.format(f=rng.choice(_FIRST), s=rng.choice(_SURNAMES)), name=True))
    for i in range(400):
        t = _CLEAN_T[i % len(_CLEAN_T)]
        out.append(
            _s(
                t.format(
                    meet=date(rng, 2024),
                    meet2=date(rng, 2024),
                    month=rng.choice(_MONTH_NAMES),
                    month2=rng.choice(_MONTH_NAMES),
                    c=rng.randrange(1, 40),
                    ref=failing_reference(rng),
                )
            )
        )
    out.extend(_HAND_POSITIVE)
    out.extend(_s(t) for t in _HAND_CLEAN)
    return out
