from django.urls import path

from . import views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="cities_digest_unsubscribe"),
    path("preferences/", views.preferences, name="cities_digest_preferences"),
    path(
        "preferences/<str:token>/", views.preferences_by_token,
        name="cities_digest_preferences_token",
    ),
]
