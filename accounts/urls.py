from django.urls import include, path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="accounts_profile"),
    path("", include("allauth.account.urls")),
]
