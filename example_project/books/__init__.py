"""The books module: books and who wrote them, by author id. Other modules use `books.facade`."""
