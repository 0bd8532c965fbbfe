"""The site's pages: each view calls the modules' facades only, never their models.

Domain errors become form errors or 404s here, at the edge, so the modules stay free of HTTP.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

import authors.facade
import books.facade

from .forms import AuthorForm, BookForm


@require_http_methods(["GET", "POST"])
def author_list(request: HttpRequest) -> HttpResponse:
    """Every author, and a form to add one."""
    form = AuthorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        author = authors.facade.add_author(form.new_author())
        messages.success(request, f"Added the author {author.name}.")
        return redirect("web:author_list")
    context = {"authors": authors.facade.list_authors(), "form": form}
    return render(request, "web/author_list.html", context)


@require_GET
def author_detail(request: HttpRequest, author_id: int) -> HttpResponse:
    """One author and the books they wrote."""
    try:
        author = authors.facade.get_author(author_id)
    except authors.facade.AuthorNotFound as error:
        raise Http404(str(error)) from None
    context = {"author": author, "books": books.facade.list_books_by_author(author.id)}
    return render(request, "web/author_detail.html", context)


@require_http_methods(["GET", "POST"])
def author_delete(request: HttpRequest, author_id: int) -> HttpResponse:
    """Ask for confirmation (GET), then delete the author (POST).

    The author's books go when the books module handles authors.events.AuthorDeleted.
    """
    try:
        author = authors.facade.get_author(author_id)
    except authors.facade.AuthorNotFound as error:
        raise Http404(str(error)) from None
    if request.method == "POST":
        authors.facade.delete_author(author.id)
        messages.success(request, f"Deleted the author {author.name} and their books.")
        return redirect("web:author_list")
    return render(request, "web/author_confirm_delete.html", {"author": author})


@require_http_methods(["GET", "POST"])
def book_list(request: HttpRequest) -> HttpResponse:
    """Every book with its author's name, and a form to add one.

    The names come from one batch call, `authors.facade.get_authors`, for all the books:
    never one lookup per book (the n+1 a ForeignKey's lazy loading would hide).
    """
    form = BookForm(request.POST or None, author_choices=authors.facade.list_authors())
    if request.method == "POST" and form.is_valid():
        try:
            book = books.facade.add_book(form.new_book())
        except books.facade.UnknownAuthor as error:
            form.add_error("author_id", str(error))
        else:
            messages.success(request, f"Added the book {book.title}.")
            return redirect("web:book_list")
    all_books = books.facade.list_books()
    names = authors.facade.get_authors(book.author_id for book in all_books)
    rows = [(book, names.get(book.author_id)) for book in all_books]
    return render(request, "web/book_list.html", {"rows": rows, "form": form})
