"""The languages a peer can say they speak: one fixed list, in one place
(the profile form, the profile model's validation and anything that
compares peers' languages read it). Codes are ISO 639-1."""

LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("it", "Italian"),
    ("pt", "Portuguese"),
    ("pl", "Polish"),
    ("nl", "Dutch"),
    ("de", "German"),
    ("ca", "Catalan"),
    ("eu", "Basque"),
]
CODES = frozenset(code for code, _name in LANGUAGES)
NAMES = dict(LANGUAGES)


def ordered(codes) -> list[str]:
    """`codes` that are on the list, once each, in the list's order."""
    wanted = set(codes or ())
    return [code for code, _name in LANGUAGES if code in wanted]
