"""A small multilingual catalogue and query set for search by meaning.

Ten case studies written for these tests (not demo content): some in
English, the others in Spanish, Portuguese, Italian, French, Dutch and
Polish, each on a different subject. The practices of real cities follow the
domain facts (no figures, no events); the others are set in invented towns.
Each query names the practice it should find in the top three; most are
written in another language than the practice."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Practice:
    key: str
    city: str  # a key of CITIES
    language: str
    title: str
    summary: str
    body: str
    challenges: tuple[str, ...] = ()


# key -> (title, country)
CITIES = {
    "warsaw": ("Warsaw", "PL"),
    "rotterdam": ("Rotterdam", "NL"),
    "turin": ("Turin", "IT"),
    "dublin": ("Dublin", "IE"),
    "montreal": ("Montreal", "CA"),
    "valdemora": ("Valdemora", "ES"),
    "vila_serena": ("Vila Serena", "BR"),
    "zielonow": ("Zielonów", "PL"),
    "kilmore": ("Kilmore Bay", "IE"),
    "san_francisco": ("San Francisco", "US"),
}

# key -> name
CHALLENGES = {
    "social-procurement": "Social procurement",
    "care-services": "Care services",
    "youth-unemployment": "Youth unemployment",
    "urban-regeneration": "Urban regeneration",
    "collaboration": "Collaboration between SSE actors",
    "affordable-housing": "Affordable housing",
    "access-to-finance": "Access to finance",
    "digital-divide": "Digital divide",
}

PRACTICES = [
    Practice(
        "warsaw_care", "warsaw", "en",
        "Social procurement for children's care",
        "Warsaw buys children's care services through social procurement contracts and competitive "
        "funding, so that social enterprises and non-profit providers run nurseries and day care.",
        "The city writes social clauses into public tenders for the care of young children. Non-profit "
        "organisations and social co-operatives compete for multi-year contracts to run nurseries, "
        "kindergartens and after-school clubs. Public-private cooperation keeps places affordable for "
        "families while the providers reinvest their surplus in the quality of care.",
        ("social-procurement", "care-services"),
    ),
    Practice(
        "rikx", "rotterdam", "nl",
        "Rikx: een marktplaats voor sociale impact",
        "Sociale ondernemers stellen projecten voor die mensen aan duurzaam werk helpen; bedrijven kopen "
        "de impact en investeerders financieren de projecten.",
        "Rikx is een investeringsmodel voor werkgelegenheidsprojecten. Bedrijven die een verplichting tot "
        "social return hebben, kunnen die flexibel invullen door projecten van sociale ondernemers te "
        "kopen. Zo komt privaat geld terecht in sociale sectoren en vinden werkzoekenden een baan.",
        ("youth-unemployment", "access-to-finance"),
    ),
    Practice(
        "casabottega", "turin", "it",
        "CasaBottega: botteghe d'artista nei negozi sfitti",
        "Nel quartiere Barriera di Milano i negozi vuoti con le serrande abbassate diventano laboratori "
        "artistici per giovani artisti che vivono e lavorano nel quartiere.",
        "Un partenariato pubblico-privato di enti locali assegna contributi a giovani comunicatori, attori, "
        "artisti visivi, registi, musicisti e poeti. La rigenerazione urbana si unisce allo sviluppo "
        "economico locale e a nuove forme di cittadinanza attiva con gli abitanti.",
        ("urban-regeneration", "youth-unemployment"),
    ),
    Practice(
        "dublin_committee", "dublin", "en",
        "Social Enterprise Committee and awards",
        "A committee of the city council and social-enterprise representatives identifies what social "
        "enterprises need to grow, and runs yearly awards with funding, mentoring and promotion.",
        "The committee brings together the key stakeholders of the social economy. Its awards give "
        "selected social enterprises a grant, a mentor and publicity, and help them scale.",
        ("collaboration",),
    ),
    Practice(
        "montreal_panel", "montreal", "fr",
        "Table de concertation en économie sociale et solidaire",
        "Un groupe d'intérêt réunit toutes les deux semaines des fonctionnaires municipaux et des "
        "organisations de l'économie sociale autour d'une même table.",
        "La concertation et la communication transversale entre le gouvernement et les organisations de "
        "l'économie sociale ont une longue tradition au Québec. La table, animée par des fonctionnaires, "
        "permet de partager l'information et de coordonner les mesures de soutien.",
        ("collaboration",),
    ),
    Practice(
        "valdemora_housing", "valdemora", "es",
        "Cooperativas de vivienda en cesión de uso",
        "El ayuntamiento cede suelo público a cooperativas de vivienda para que sus socios vivan en "
        "pisos asequibles sin comprarlos.",
        "Las familias socias pagan una cuota mensual y un depósito inicial; la cooperativa conserva la "
        "propiedad del edificio y evita la especulación. El suelo se cede por un plazo largo a cambio de "
        "un canon reducido, y las viviendas quedan fuera del mercado para siempre.",
        ("affordable-housing",),
    ),
    Practice(
        "vila_serena_bank", "vila_serena", "pt",
        "Banco comunitário de microcrédito para mulheres empreendedoras",
        "Um banco comunitário concede pequenos empréstimos a mulheres que abrem o seu próprio negócio "
        "no bairro, com uma moeda social local.",
        "As associadas recebem formação em gestão e acompanhamento. Os empréstimos são aprovados por um "
        "comitê de moradoras e os juros ficam no fundo solidário, que financia novas empreendedoras.",
        ("access-to-finance",),
    ),
    Practice(
        "zielonow_digital", "zielonow", "pl",
        "Spółdzielnia socjalna uczy seniorów korzystania z internetu",
        "Spółdzielnia socjalna prowadzi bezpłatne kursy komputerowe dla osób starszych, aby ograniczyć "
        "wykluczenie cyfrowe.",
        "Młodzi członkowie spółdzielni uczą seniorów obsługi smartfona, bankowości internetowej i "
        "kontaktu z urzędem przez internet. Zajęcia odbywają się w bibliotekach i domach kultury.",
        ("digital-divide",),
    ),
    Practice(
        "kilmore_energy", "kilmore", "en",
        "Community energy co-operative on social housing",
        "Tenants of a social housing estate own a renewable energy co-operative that puts solar panels "
        "on their roofs and lowers their electricity bills.",
        "The co-operative sells the power it does not use to the grid and spends the income on insulation "
        "for the households at risk of energy poverty.",
        ("affordable-housing",),
    ),
    Practice(
        "sf_civic", "san_francisco", "en",
        "Office of Civic Innovation",
        "An office in the mayor's administration makes city government more collaborative and links "
        "departments with partners for public-private partnerships.",
        "The office brings city departments new approaches, resources and technology for citywide "
        "priorities, and helps start-ups and civic organisations work with the administration.",
        ("collaboration",),
    ),
]

# (query, language, the practice it must find in the top three)
QUERIES = [
    ("compras públicas para guarderías", "es", "warsaw_care"),
    ("vivienda asequible en cooperativa", "es", "valdemora_housing"),
    ("paneles solares para inquilinos de vivienda social", "es", "kilmore_energy"),
    ("affordable cooperative housing on public land", "en", "valdemora_housing"),
    ("artists working in empty shops", "en", "casabottega"),
    ("microcredit for women entrepreneurs", "en", "vila_serena_bank"),
    ("marché d'investissement pour l'emploi", "fr", "rikx"),
    ("cours d'informatique pour les personnes âgées", "fr", "zielonow_digital"),
    ("appalti sociali per gli asili nido", "it", "warsaw_care"),
    ("premi per le imprese sociali", "it", "dublin_committee"),
    ("diálogo entre a prefeitura e a economia solidária", "pt", "montreal_panel"),
    ("inovação cívica no governo da cidade", "pt", "sf_civic"),
    ("lege winkels worden ateliers voor kunstenaars", "nl", "casabottega"),
    ("energiecoöperatie van huurders", "nl", "kilmore_energy"),
    ("zamówienia publiczne na opiekę nad dziećmi", "pl", "warsaw_care"),
    ("mikropożyczki dla kobiet", "pl", "vila_serena_bank"),
]
