"""Project configuration of the example: settings, URLs and the WSGI/ASGI entry points."""
