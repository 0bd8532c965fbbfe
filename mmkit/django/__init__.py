"""The Django door: the `mmkit` app (apps.py) and its system checks (checks.py).

Thin over the analysis: the checks call mmkit.checks.run with relations from Django's app
registry and turn findings into Django's check messages. INSTALLED_APPS names it `"mmkit"`.
"""
