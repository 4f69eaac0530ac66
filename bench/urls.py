"""The project's URLs plus /bench/bare/: a bare Django JSON view, the floor."""

from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    return JsonResponse({"total": 0, "results": [], "q": request.GET.get("q", "")})


urlpatterns = [path("bench/bare/", bare), path("", include("cms.urls"))]
