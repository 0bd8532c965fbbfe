"""Tests of the site's pages, through Django's test client."""
