import pytest

CONTEXT = {
    "asker": "Marta Rossi",
    "city": "Turin",
    "practice": "Rikx & co-operatives",
    "question": "How did you choose the <first> artists?",
}
LINK = "/cities/turin/casabottega/"


@pytest.fixture
def people(django_user_model):
    """Three users with email addresses (Ana has a full name)."""
    make = django_user_model.objects.create_user
    return {
        "ana": make("ana", "ana@example.org", "pw", first_name="Ana", last_name="Ruiz"),
        "bo": make("bo", "bo@example.org", "pw"),
        "cy": make("cy", "cy@example.org", "pw"),
    }


def make_users(django_user_model, count, prefix="peer"):
    return django_user_model.objects.bulk_create(
        [django_user_model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org") for i in range(count)]
    )
