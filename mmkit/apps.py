"""Where Django looks for the AppConfig of `"mmkit"` in INSTALLED_APPS (`mmkit.apps`).

The app itself lives in the Django door, mmkit.django.apps; this name keeps working for
settings that name `"mmkit"` or `"mmkit.apps.MmkitConfig"`.
"""

from mmkit.django.apps import EVENTS_TAG, IMPORTS_TAG, RELATIONS_TAG, TAG, MmkitConfig

__all__ = ["EVENTS_TAG", "IMPORTS_TAG", "RELATIONS_TAG", "TAG", "MmkitConfig"]
