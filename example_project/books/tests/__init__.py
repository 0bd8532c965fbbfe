"""Tests of the books module's use cases."""
