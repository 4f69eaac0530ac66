"""Demo content for `manage.py load_demo`: the network, its taxonomies, its
nine cities and its four working groups. The six case studies are in
practices.jsonl (the import format, docs/import-format.md).

Everything here comes from the project's domain notes on the OECD "Respond,
Rebuild, Reinvent" peer-learning project; populations and coordinates are
rounded public figures, for the map only.
"""

SITE_NAME = "Solidarity Cities Exchange"

HOME_INTRO = (
    "A peer-learning network where cities share what works in the Social and "
    "Solidarity Economy, modelled on the OECD project Respond, Rebuild, Reinvent."
)

HOME_BODY = (
    "<p>The network is modelled on <b>Respond, Rebuild, Reinvent</b>, a peer-learning "
    "project of the OECD Global Action <i>Promoting Social and Solidarity Economy "
    "Ecosystems</i>, funded by the European Union and reported in November 2021. "
    "Nine cities in the Americas and Europe took part.</p>"
    "<p>Each city first named the challenges it wanted to work on, such as youth "
    "unemployment and the inclusion of vulnerable groups. Small working groups then "
    "compared solutions and tried some of them out, and a final meeting of all the "
    "peers picked two practices to scale: Rikx from Rotterdam and CasaBottega from "
    "Turin.</p>"
    "<p>Browse the case studies by challenge or by city, or join a working group to "
    "follow a theme with your peers.</p>"
)

CITIES_INTRO = "The member cities of the network and the practices they share."
PRACTICES_INTRO = (
    "Case studies of Social and Solidarity Economy practices, written by member cities "
    "for their peers."
)

# (name, description) in display order; the slug is made from the name.
CHALLENGES = [
    ("Youth unemployment", "Young people who cannot find a first or stable job."),
    ("Unemployment", "Getting people back into decent, lasting work."),
    (
        "Inclusion of vulnerable populations",
        "Reaching people the economy leaves behind through the SSE.",
    ),
    ("Local economy recovery", "Rebuilding local economic activity after a shock."),
    ("Local markets", "Keeping local trade and short supply chains alive."),
    ("Digital divide", "Access to digital tools, skills and connections for everyone."),
    (
        "Transversal communication with SSE actors",
        "Regular, cross-departmental dialogue between the city and SSE organisations.",
    ),
    ("Collaboration between SSE actors", "SSE organisations and ecosystems working together."),
    ("Urban regeneration", "Bringing run-down areas and empty premises back to life."),
    ("Access to finance", "Funding and investment for SSE organisations and their projects."),
    ("Social procurement", "Public purchasing that rewards social value."),
    ("Care services", "Care for children, older people and others who need it."),
    ("Affordable housing", "Homes that people on modest incomes can afford."),
]

POLICY_LEVERS = [
    (
        "Financial tools",
        "Microcredit, funds run by SSE organisations, grants, direct funding, recovery loans.",
    ),
    ("Support to target populations", "Measures aimed at the groups a policy wants to reach."),
    ("Sectoral measures", "Support focused on one sector of activity."),
    ("Responsible public procurement", "Social and environmental criteria in public purchasing."),
    ("SSE development structures and networks", "Bodies and networks that help the SSE grow."),
    (
        "Training and awareness for elected officials and staff",
        "Helping councillors and civil servants understand the SSE.",
    ),
    (
        "Co-construction of policy with SSE actors and citizens",
        "Designing policy together with the people and organisations concerned.",
    ),
    ("Mapping and orientation platforms", "Showing who does what and where to turn."),
    ("Evaluation", "Measuring what a policy achieves."),
    (
        "European funding",
        "EU structural and investment funds, territorial cooperation programmes.",
    ),
]

SECTORS = [
    ("Circular economy", ""),
    ("Food", ""),
    ("Habitat and housing", ""),
    ("Digital", ""),
    ("Care and social services", ""),
    ("Health and home care", ""),
    ("Clean energy", ""),
    ("Ecotourism", ""),
    ("Culture and creative industries", ""),
    ("Employment and integration", ""),
]

TARGET_GROUPS = [
    ("Youth", ""),
    ("Women", ""),
    ("Immigrants", ""),
    ("Homeless people", ""),
    ("First Nations and indigenous peoples", ""),
    ("Long-term unemployed", ""),
    ("People with disabilities", ""),
]

TAXONOMY_TERMS = {
    "challenges": CHALLENGES,
    "policy_levers": POLICY_LEVERS,
    "sectors": SECTORS,
    "target_groups": TARGET_GROUPS,
}

# The nine cities of the project. Population and coordinates are approximate;
# languages: those the city works in (codes from cities.languages).
CITIES = [
    {
        "title": "Bilbao",
        "slug": "bilbao",
        "country": "ES",
        "region": "Basque Country",
        "continent": "europe",
        "languages": ["es", "eu"],
        "population": 346000,
        "latitude": "43.263000",
        "longitude": "-2.935000",
        "time_zone": "Europe/Madrid",
        "intro": "The largest city of the Basque Country, in northern Spain.",
        "ecosystem": (
            "<p>Bilbao brought to the project its work on reviving the local economy and "
            "neighbourhood trade. It shares that theme with Dublin in the network's working "
            "group on local economies and local markets.</p>"
        ),
    },
    {
        "title": "Dublin",
        "slug": "dublin",
        "country": "IE",
        "region": "Leinster",
        "continent": "europe",
        "languages": ["en"],
        "population": 592000,
        "latitude": "53.349800",
        "longitude": "-6.260300",
        "time_zone": "Europe/Dublin",
        "intro": "Ireland's capital, where the city council works closely with its social enterprises.",
        "ecosystem": (
            "<p>Dublin City Council has had a standing committee on social enterprise since "
            "2015, bringing together the main SSE stakeholders and social enterprise "
            "representatives. The city takes part in two working groups: one on local "
            "economies with Bilbao, one on collaboration between SSE ecosystems with Turin "
            "and Warsaw.</p>"
        ),
    },
    {
        "title": "San Francisco",
        "slug": "san-francisco",
        "country": "US",
        "region": "California",
        "continent": "north_america",
        "languages": ["en"],
        "population": 808000,
        "latitude": "37.774900",
        "longitude": "-122.419400",
        "time_zone": "America/Los_Angeles",
        "intro": "A Californian city that looks for new ways to make its government collaborative.",
        "ecosystem": (
            "<p>San Francisco's Mayor's Office of Civic Innovation links city departments "
            "with outside partners, new methods and technology. In the network the city "
            "works with Rotterdam on bridging the digital divide.</p>"
        ),
    },
    {
        "title": "Rotterdam",
        "slug": "rotterdam",
        "country": "NL",
        "region": "South Holland",
        "continent": "europe",
        "languages": ["nl"],
        "population": 655000,
        "latitude": "51.924400",
        "longitude": "4.477700",
        "time_zone": "Europe/Amsterdam",
        "intro": "A Dutch port city that connects social entrepreneurs, companies and investors.",
        "ecosystem": (
            "<p>Rotterdam's social entrepreneurs can offer employment projects to companies "
            "and investors through Rikx, one of the two practices the project's peers chose "
            "to scale. With San Francisco the city explores how to bridge the digital "
            "divide.</p>"
        ),
    },
    {
        "title": "Belo Horizonte",
        "slug": "belo-horizonte",
        "country": "BR",
        "region": "Minas Gerais",
        "continent": "south_america",
        "languages": ["pt"],
        "population": 2315000,
        "latitude": "-19.916700",
        "longitude": "-43.934500",
        "time_zone": "America/Sao_Paulo",
        "intro": "The capital of Minas Gerais, in south-eastern Brazil.",
        "ecosystem": (
            "<p>Belo Horizonte joined the project to work on how the city talks with the "
            "many actors of its solidarity economy. It shares that question with "
            "Guadalajara and Montreal in a working group on transversal communication.</p>"
        ),
    },
    {
        "title": "Guadalajara",
        "slug": "guadalajara",
        "country": "MX",
        "region": "Jalisco",
        "continent": "north_america",
        "languages": ["es"],
        "population": 1385000,
        "latitude": "20.659700",
        "longitude": "-103.349600",
        "time_zone": "America/Mexico_City",
        "intro": "The capital of the state of Jalisco, in western Mexico.",
        "ecosystem": (
            "<p>Guadalajara works with Belo Horizonte and Montreal on communication "
            "strategies that reach across departments and across the city's diverse SSE "
            "actors.</p>"
        ),
    },
    {
        "title": "Montreal",
        "slug": "montreal",
        "country": "CA",
        "region": "Quebec",
        "continent": "north_america",
        "languages": ["fr", "en"],
        "population": 1762000,
        "latitude": "45.501900",
        "longitude": "-73.567400",
        "time_zone": "America/Toronto",
        "intro": "Quebec's largest city, with a long habit of consultation between government and the SSE.",
        "ecosystem": (
            "<p>Quebec has a long tradition of concertation between government and SSE "
            "organisations. In Montreal a panel led by civil servants has met every two "
            "weeks since 2020. The city shares this experience with Belo Horizonte and "
            "Guadalajara.</p>"
        ),
    },
    {
        "title": "Turin",
        "slug": "turin",
        "country": "IT",
        "region": "Piedmont",
        "continent": "europe",
        "languages": ["it"],
        "population": 848000,
        "latitude": "45.070300",
        "longitude": "7.686900",
        "time_zone": "Europe/Rome",
        "intro": "A city in north-western Italy that uses culture to bring neighbourhoods back to life.",
        "ecosystem": (
            "<p>In Turin's Barriera di Milano neighbourhood, a public-private partnership of "
            "local entities turned empty shops into artists' workshops: CasaBottega, one of "
            "the two practices the project chose to scale. Turin works with Dublin and "
            "Warsaw on collaboration between SSE ecosystems.</p>"
        ),
    },
    {
        "title": "Warsaw",
        "slug": "warsaw",
        "country": "PL",
        "region": "Masovia",
        "continent": "europe",
        "languages": ["pl"],
        "population": 1860000,
        "latitude": "52.229700",
        "longitude": "21.012200",
        "time_zone": "Europe/Warsaw",
        "intro": "Poland's capital, which buys social services through social procurement.",
        "ecosystem": (
            "<p>Warsaw works with private and social providers through social procurement "
            "contracts and competitive funding, for example in children's care. It takes "
            "part in the working group on collaboration between SSE ecosystems with Dublin "
            "and Turin.</p>"
        ),
    },
]

# (name, slug, description, challenge names, city slugs; the first city's
# time zone is the group's).
WORKING_GROUPS = [
    {
        "name": "Local economies and local markets",
        "slug": "local-economies",
        "description": "Bilbao and Dublin on the recovery and development of local economies and local markets.",
        "challenges": ["Local economy recovery", "Local markets"],
        "cities": ["bilbao", "dublin"],
    },
    {
        "name": "Bridging the digital divide",
        "slug": "digital-divide",
        "description": "San Francisco and Rotterdam on closing the digital divide.",
        "challenges": ["Digital divide"],
        "cities": ["san-francisco", "rotterdam"],
    },
    {
        "name": "Transversal communication with SSE actors",
        "slug": "transversal-communication",
        "description": (
            "Belo Horizonte, Guadalajara and Montreal on communication strategies that reach "
            "all kinds of SSE actors."
        ),
        "challenges": ["Transversal communication with SSE actors"],
        "cities": ["belo-horizonte", "guadalajara", "montreal"],
    },
    {
        "name": "Collaboration between SSE ecosystems",
        "slug": "sse-collaboration",
        "description": "Turin, Dublin and Warsaw on how SSE actors and ecosystems can work together.",
        "challenges": ["Collaboration between SSE actors"],
        "cities": ["turin", "dublin", "warsaw"],
    },
]

# The challenges each city works on, as the project's first phase named them
# (city slug -> [(challenge name, note)]). The notes are the demo's own words
# on the facts that the working groups were formed from: which cities shared
# which theme. No year is given: the facts do not date the first phase.
CITY_CHALLENGES = {
    "bilbao": [
        ("Local economy recovery", "Bilbao's theme in the project, shared with Dublin in a working group on the "
         "recovery and development of the local economy."),
        ("Local markets", "Worked on with Dublin, in the same working group, alongside the local economy."),
    ],
    "dublin": [
        ("Local economy recovery", "Shared with Bilbao in the project's working group on the recovery and "
         "development of the local economy."),
        ("Local markets", "Worked on with Bilbao, in the same working group, alongside the local economy."),
        ("Collaboration between SSE actors", "Dublin also took part in the working group on collaboration "
         "between SSE actors and ecosystems, with Turin and Warsaw."),
    ],
    "san-francisco": [
        ("Digital divide", "Shared with Rotterdam in the project's working group on bridging the digital divide."),
    ],
    "rotterdam": [
        ("Digital divide", "Shared with San Francisco in the project's working group on bridging the digital "
         "divide."),
    ],
    "belo-horizonte": [
        ("Transversal communication with SSE actors", "Shared with Guadalajara and Montreal in the project's "
         "working group on communication strategies that reach diverse SSE actors."),
    ],
    "guadalajara": [
        ("Transversal communication with SSE actors", "Shared with Belo Horizonte and Montreal in the project's "
         "working group on communication strategies that reach diverse SSE actors."),
    ],
    "montreal": [
        ("Transversal communication with SSE actors", "Shared with Belo Horizonte and Guadalajara; Quebec has a "
         "long tradition of concertation between government and SSE organisations."),
    ],
    "turin": [
        ("Collaboration between SSE actors", "Shared with Dublin and Warsaw in the project's working group on "
         "collaboration between SSE actors and ecosystems."),
    ],
    "warsaw": [
        ("Collaboration between SSE actors", "Shared with Dublin and Turin in the project's working group on "
         "collaboration between SSE actors and ecosystems."),
    ],
}

# The programme's all-peer event chose Rikx and CasaBottega to scale, and the
# cities then explored scaling them. Nothing more is known of who did what
# next: every other city of the programme is recorded as "exploring" each of
# them, with no start date and nothing changed or learned, and a note that
# says only that.
TRANSFERS = [
    {
        "case_study": "demo-rotterdam-rikx",
        "note": (
            "The all-peer event of Respond, Rebuild, Reinvent chose Rikx as one of the two practices to "
            "scale; the cities of the programme then explored scaling it."
        ),
    },
    {
        "case_study": "demo-turin-casabottega",
        "note": (
            "The all-peer event of Respond, Rebuild, Reinvent chose CasaBottega as one of the two practices "
            "to scale; the cities of the programme then explored scaling it."
        ),
    },
]

# The all-peer event chose Rikx and CasaBottega to scale: both are marked
# "selected to scale" (groups.scaling), with a note that says only that.
SELECTED_TO_SCALE = [
    {
        "case_study": "demo-rotterdam-rikx",
        "note": "Chosen by the all-peer event of Respond, Rebuild, Reinvent as one of the two practices to scale.",
    },
    {
        "case_study": "demo-turin-casabottega",
        "note": "Chosen by the all-peer event of Respond, Rebuild, Reinvent as one of the two practices to scale.",
    },
]

# A demo shortlist: the demo officials of the local-economies group (Bilbao,
# Dublin) propose the two practices chosen to scale, which every city then
# explored, and vote for both. Activity of demo accounts on this site, not
# a record of what the real cities did.
SHORTLIST = [
    {"group": "local-economies", "case_study": "demo-turin-casabottega", "proposed_by": "official-bilbao",
     "votes": ["official-bilbao", "official-dublin"]},
    {"group": "local-economies", "case_study": "demo-rotterdam-rikx", "proposed_by": "official-dublin",
     "votes": ["official-bilbao", "official-dublin"]},
]

# Demo accounts' profiles. Officials and the moderator are demo accounts, not
# real people: their profiles say so. Languages of an official: English and
# the main language of the city's country (codes from cities.languages).
COUNTRY_LANGUAGES = {"ES": ["es"], "IE": [], "US": [], "NL": ["nl"], "BR": ["pt"], "MX": ["es"],
                     "CA": ["fr"], "IT": ["it"], "PL": ["pl"]}
MODERATOR_PROFILE = {"display_name": "Demo moderator", "role": "network moderator (demo account)",
                     "languages": ["en"]}
# Peers without a city role: people from organisations that learn from the
# network. Fictional, and named as demo accounts.
DEMO_PEERS = [
    {
        "username": "peer-researcher",
        "display_name": "Demo peer: researcher",
        "organisation": "Example University (demo)",
        "role": "researcher on social economy policy",
        "languages": ["en", "es"],
    },
    {
        "username": "peer-cooperative",
        "display_name": "Demo peer: co-operative network",
        "organisation": "Example Co-operative Federation (demo)",
        "role": "network coordinator",
        "languages": ["en", "fr", "it"],
    },
]

# Questions the demo peers ask the cities about their case studies
# (exchange.questions), phrased as questions; the one answered says only what
# the facts say, in the words of the authoring city's demo official.
DEMO_QUESTIONS = [
    {
        "asker": "peer-cooperative",
        "case_study": "demo-turin-casabottega",
        "text": "Which young people can receive a CasaBottega grant, and what does the grant let them do?",
        "answer": (
            "Young communicators, actors, visual artists, film-makers, musicians and poets. Each grant is "
            "5,000 euros and lets them settle, live and work in the Barriera di Milano neighbourhood, in the "
            "empty shops that became artistic workshops."
        ),
    },
    {
        "asker": "peer-researcher",
        "case_study": "demo-rotterdam-rikx",
        "text": "How do companies use Rikx to meet their social-return obligations, and who proposes the "
                "projects they fund?",
    },
    {
        "asker": "peer-researcher",
        "case_study": "demo-montreal-sse-concertation-panel",
        "text": "How often does the SSE concertation panel meet, and who leads its meetings?",
    },
]
