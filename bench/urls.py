"""Backline's URLs plus the benchmark's baseline: a bare view doing one query."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from backline.accounts.models import Region
from backline.privacy.access import PUBLIC, access
from backline.urls import handler500 as backline_handler500
from backline.urls import urlpatterns as backline_urlpatterns


@access(PUBLIC)
def one_query(request: HttpRequest) -> HttpResponse:
    """Exactly one database query and a tiny response: the floor of a Backline page."""
    return HttpResponse(f"regions: {Region.objects.count()}\n", content_type="text/plain")


urlpatterns = [
    path("bench/one-query/", one_query, name="bench_one_query"),
    *backline_urlpatterns,
]
handler500 = backline_handler500  # a lost database gets Backline's own page here too
