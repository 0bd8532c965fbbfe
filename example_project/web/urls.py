"""URLs of the site's pages, under the `web` namespace."""

from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:book_list"), name="home"),
    path("authors/", views.author_list, name="author_list"),
    path("authors/<int:author_id>/", views.author_detail, name="author_detail"),
    path("authors/<int:author_id>/delete/", views.author_delete, name="author_delete"),
    path("books/", views.book_list, name="book_list"),
]
