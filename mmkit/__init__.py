"""mmkit: the modular-monolith kit for Django.

Importing this package must stay cheap and must not import Django, so the CLI starts fast
and `INSTALLED_APPS` can list "mmkit" without side effects.
"""

__version__ = "0.1.0"
