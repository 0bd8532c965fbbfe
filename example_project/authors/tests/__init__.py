"""Tests of the authors module's use cases."""
