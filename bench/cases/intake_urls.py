"""OneDoor's URLs plus the bench's baseline: a bare Django JSON view with one small query."""

from django.http import JsonResponse
from django.urls import path

from onedoor.urls import urlpatterns as onedoor_urlpatterns


def bare(request):
    from onedoor.policies.models import Policy

    return JsonResponse({"policy": Policy.objects.filter(code="bench-dibao").values("code", "name").first()})


urlpatterns = [path("bench/bare/", bare), *onedoor_urlpatterns]
