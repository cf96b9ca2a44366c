"""The demo organisation in English: a large UK city council with no real people in it."""

from __future__ import annotations

ORGANISATION = {
    "slug": "northgate",
    "name": "Northgate City Council",
    "timezone": "Europe/London",
    # An Ofcom drama number (0113 496 0000): never a real subscriber.
    "numbers": ("+441134960000",),
}

SITES = (
    {
        "slug": "eastfield-depot",
        "name": "Eastfield Depot",
        "kind": "depot",
        "address": "Unit 4, Eastfield Industrial Estate, Northgate NG4 7QT",
        "kiosk_enabled": True,
    },
    {
        "slug": "riverside-depot",
        "name": "Riverside Depot",
        "kind": "depot",
        "address": "Canal Wharf, Riverside Road, Northgate NG2 3LP",
        "kiosk_enabled": True,
        "default_language": "pl",
    },
    {
        "slug": "willow-court",
        "name": "Willow Court Care Home",
        "kind": "care_home",
        "address": "12 Willow Lane, Northgate NG9 1AB",
        "kiosk_enabled": True,
    },
    {
        "slug": "civic-hall",
        "name": "Civic Hall",
        "kind": "office",
        "address": "Civic Square, Northgate NG1 1CH",
        "kiosk_enabled": False,
    },
)

# keywords: English ones here; each language's own words live with the translations.
# colour: the poster band, from the palette, dark and light alternating in print order.
NETWORKS = (
    {
        "slug": "careers",
        "colour": "#1F4E9C",
        "name": "Careers Network",
        "keywords": ("CAREERS",),
        "short_description": "Training, apprenticeships and help with applications for every role.",
        "long_description": "Find out about courses, apprenticeships and vacancies across the "
        "council. Members help each other with application forms and interviews, and a monthly "
        "session brings in people from other services to talk about their jobs.",
    },
    {
        "slug": "minds",
        "colour": "#00695C",
        "name": "Minds Matter",
        "keywords": ("MINDS",),
        "sensitive": True,
        "discreet_name": "Friday chat group",
        "short_description": "Peer support for your mental health, from colleagues who understand.",
        "long_description": "A confidential peer-support group run by trained colleagues. Drop in "
        "for a cuppa and a chat on Fridays, or join the Wednesday 'how are you feeling' hour by "
        "phone. You do not have to talk: listening is fine.",
    },
    {
        "slug": "carers",
        "colour": "#F2B632",
        "name": "Carers Network",
        "keywords": ("CARERS",),
        "short_description": "For staff who look after a family member, partner or friend.",
        "long_description": "Caring and working shifts is hard. Share tips on carer's leave, "
        "flexible rotas and local help, and meet others every other Thursday evening.",
    },
    {
        "slug": "families",
        "colour": "#FFD966",
        "name": "Families Group",
        "keywords": ("FAMILIES",),
        "sensitive": True,
        "parent": "carers",
        "discreet_name": "Saturday coffee group",
        "short_description": "Parents and carers of children with additional needs.",
        "long_description": "Part of the Carers Network, for parents of children with additional "
        "needs or disabilities: school, assessments, appointments and shift patterns. Monthly "
        "coffee morning with a play corner.",
    },
    {
        "slug": "dawn",
        "colour": "#7B1FA2",
        "name": "Disability and Wellbeing Network (DAWN)",
        "keywords": ("DAWN",),
        "sensitive": True,
        "discreet_name": "DAWN",
        "short_description": "For disabled staff and anyone with a long-term health condition.",
        "long_description": "Advice on reasonable adjustments, access to work and staying well at "
        "work, from people with lived experience. Hosts the Wednesday 'how are you feeling' hour.",
    },
    {
        "slug": "lgbt",
        "colour": "#F59BBF",
        "name": "LGBT+ Network",
        "keywords": ("LGBT",),
        "sensitive": True,
        "discreet_name": "Thursday social group",
        "short_description": "A welcoming network for lesbian, gay, bi, trans and queer staff "
        "and allies.",
        "long_description": "Social evenings, support and a voice on council policy. You can join "
        "discreetly: messages will only use our discreet name if you ask.",
    },
    {
        "slug": "women",
        "colour": "#B3261E",
        "name": "Women's Voice",
        "keywords": ("WOMEN",),
        "short_description": "Women supporting women at work: health, safety, careers.",
        "long_description": "Menopause support, safety on lone shifts, flexible work and "
        "confidence at work. Lunchtime meetings every month.",
    },
    {
        "slug": "race",
        "colour": "#9CCC65",
        "name": "Race Equality Network",
        "keywords": ("RACE",),
        "sensitive": True,
        "discreet_name": "Monday forum",
        "short_description": "For Black, Asian and minority ethnic staff, and allies.",
        "long_description": "A safe space to talk about experiences at work, mentoring and "
        "making sure every voice is heard, whatever shift you work or language you speak.",
    },
)

# Times are local wall-clock times in the organisation's zone; rules are RFC 5545.
EVENTS = (
    {
        "key": "cuppa",
        "network": "minds",
        "title": "Cuppa and chat",
        "description": "Tea, biscuits and a friendly ear. Drop in for five minutes or the hour.",
        "site": "eastfield-depot",
        "place": "Canteen, Eastfield Depot",
        "start": "2026-01-09T12:30",
        "minutes": 60,
        "rrule": "FREQ=WEEKLY;BYDAY=FR",
        "dial_in_number": "+441134960101",
        "dial_in_pin": "204060",
    },
    {
        "key": "feeling",
        "network": "dawn",
        "title": "How are you feeling hour",
        "description": "An hour by phone to check in with each other. Cameras and names optional.",
        "place": "By phone",
        "start": "2026-01-07T11:00",
        "minutes": 60,
        "rrule": "FREQ=WEEKLY;BYDAY=WE",
        "dial_in_number": "+441134960102",
        "dial_in_pin": "310517",
    },
    {
        "key": "careers-session",
        "network": "careers",
        "title": "Careers session",
        "description": "A different council service each month explains its jobs and how to apply.",
        "site": "civic-hall",
        "place": "Room 2, Civic Hall",
        "start": "2026-01-06T14:00",
        "minutes": 60,
        "rrule": "FREQ=MONTHLY;BYDAY=1TU",
        "dial_in_number": "+441134960103",
        "dial_in_pin": "778899",
    },
    {
        "key": "carers-chat",
        "network": "carers",
        "title": "Carers chat",
        "description": "Share what works: leave, rotas, respite and local services.",
        "site": "willow-court",
        "place": "Garden room, Willow Court",
        "start": "2026-01-08T18:00",
        "minutes": 60,
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "dial_in_number": "+441134960104",
        "dial_in_pin": "112358",
    },
    {
        "key": "families-coffee",
        "network": "families",
        "title": "Coffee morning",
        "description": "Bring the children: there is a play corner and quiet space.",
        "site": "civic-hall",
        "place": "Community room, Civic Hall",
        "start": "2026-01-31T10:00",
        "minutes": 90,
        "rrule": "FREQ=MONTHLY;BYDAY=-1SA",
    },
    {
        "key": "lgbt-social",
        "network": "lgbt",
        "title": "Social evening",
        "description": "Food, games and good company. Allies welcome.",
        "place": "The Corner Café, Market Street",
        "start": "2026-01-08T17:30",
        "minutes": 120,
        "rrule": "FREQ=MONTHLY;BYDAY=2TH",
    },
    {
        "key": "women-lunch",
        "network": "women",
        "title": "Lunchtime meeting",
        "description": "This season: menopause at work, and staying safe on lone shifts.",
        "site": "riverside-depot",
        "place": "Meeting room, Riverside Depot",
        "start": "2026-01-21T13:00",
        "minutes": 60,
        "rrule": "FREQ=MONTHLY;BYDAY=3WE",
        "dial_in_number": "+441134960105",
        "dial_in_pin": "246810",
    },
    {
        "key": "race-forum",
        "network": "race",
        "title": "Network meeting",
        "description": "Open meeting: mentoring, news from the council and your ideas.",
        "site": "riverside-depot",
        "place": "Meeting room, Riverside Depot",
        "start": "2026-01-12T12:00",
        "minutes": 60,
        "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        "dial_in_number": "+441134960106",
        "dial_in_pin": "135790",
    },
)

SUPPORT_LINES = (
    {
        "key": "samaritans",
        "name": "Samaritans",
        "phone": "116123",
        "crisis": True,
        "always_open": True,
        "hours": "Any time, day or night",
        "description": "Free, confidential, for anyone who is struggling. You do not have to be "
        "suicidal to call.",
    },
    {
        "key": "eap",
        "name": "Employee Assistance Programme",
        "phone": "+448081570123",
        "hours": "Monday to Friday 8am to 8pm, Saturday 9am to 1pm",
        "position": 1,
        "description": "Free confidential counselling, money and legal advice for staff and their "
        "families.",
    },
    {
        "key": "oh",
        "name": "Occupational Health",
        "phone": "+441134960500",
        "hours": "Monday to Friday 9am to 5pm",
        "position": 2,
        "description": "Health at work: adjustments, return to work and referrals.",
    },
)

ANNOUNCEMENTS = (
    {
        "key": "flu",
        "days": 60,
        "body": "Free flu jabs at every depot this winter. Ask your supervisor for a time.",
    },
)

# Demo data only: six months of made-up reach counts, oldest month first, ending last month,
# so the console's reach dashboard has something to show. The demo holds no people, so these
# are written as counts directly: (network or None, site or None, channel, measure, counts).
# How many staff work at each site (an admin enters these in the console).
HEADCOUNTS = {
    "eastfield-depot": 640,
    "riverside-depot": 720,
    "willow-court": 380,
    "civic-hall": 1150,
}

# Twelve months of counts, oldest first, ending last month (see service.demo.history).
REACH_HISTORY = (
    ("careers", "eastfield-depot", "sms", "join", (2, 4, 4, 4, 8, 10, 4, 7, 9, 6, 11, 13)),
    ("careers", "riverside-depot", "kiosk", "join", (1, 2, 3, 5, 5, 7, 2, 5, 6, 8, 7, 9)),
    ("careers", "civic-hall", "web", "join", (2, 2, 2, 4, 4, 6, 6, 4, 5, 7, 6, 8)),
    ("careers", "eastfield-depot", "sms", "leave", (0, 0, 1, 1, 0, 2, 0, 1, 2, 1, 0, 2)),
    ("carers", "willow-court", "voice", "join", (1, 3, 2, 5, 6, 10, 3, 6, 5, 8, 9, 12)),
    ("carers", "willow-court", "kiosk", "join", (2, 2, 4, 4, 7, 6, 5, 4, 7, 6, 10, 8)),
    ("carers", "eastfield-depot", "sms", "join", (1, 2, 0, 2, 2, 4, 2, 3, 1, 4, 3, 5)),
    ("carers", "willow-court", "voice", "leave", (0, 0, 1, 1, 1, 0, 1, 0, 2, 1, 1, 0)),
    ("families", "civic-hall", "sms", "join", (0, 1, 0, 2, 1, 3, 1, 2, 0, 3, 2, 4)),
    ("minds", "riverside-depot", "sms", "join", (2, 4, 3, 5, 8, 8, 5, 8, 6, 9, 12, 10)),
    ("minds", "riverside-depot", "voice", "join", (1, 0, 2, 1, 3, 2, 2, 1, 3, 2, 4, 3)),
    ("women", "riverside-depot", "kiosk", "join", (1, 2, 2, 4, 6, 6, 3, 5, 4, 6, 8, 7)),
    ("race", "riverside-depot", "voice", "join", (2, 3, 2, 4, 6, 9, 4, 6, 5, 7, 9, 11)),
    ("race", "eastfield-depot", "sms", "join", (1, 1, 2, 3, 4, 5, 3, 2, 4, 5, 6, 6)),
    ("lgbt", "civic-hall", "web", "join", (1, 0, 1, 2, 1, 1, 2, 1, 2, 3, 2, 1)),
    ("dawn", "willow-court", "kiosk", "join", (0, 2, 1, 1, 3, 4, 1, 3, 2, 2, 4, 5)),
    ("careers", "eastfield-depot", "sms", "rsvp", (2, 4, 4, 7, 7, 11, 6, 9, 8, 12, 10, 14)),
    ("carers", "willow-court", "voice", "rsvp", (2, 2, 4, 4, 6, 7, 4, 5, 7, 6, 8, 9)),
    ("race", "riverside-depot", "sms", "rsvp", (2, 4, 3, 5, 6, 8, 5, 7, 6, 9, 8, 10)),
    (None, "eastfield-depot", "sms", "support", (3, 2, 4, 5, 8, 8, 7, 5, 9, 8, 11, 10)),
    (None, "riverside-depot", "voice", "support", (2, 3, 2, 3, 5, 5, 4, 6, 3, 5, 7, 6)),
    (None, "willow-court", "kiosk", "callback", (1, 0, 2, 1, 3, 2, 2, 1, 3, 2, 4, 3)),
    ("minds", "riverside-depot", "sms", "callback", (1, 2, 1, 3, 2, 3, 3, 4, 2, 5, 3, 4)),
    (None, "eastfield-depot", "print", "download", (1, 0, 0, 1, 1, 2, 2, 1, 1, 2, 1, 3)),
    (None, "riverside-depot", "print", "download", (0, 1, 0, 1, 1, 1, 1, 2, 1, 1, 2, 1)),
    (None, "willow-court", "print", "download", (0, 0, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2)),
)
