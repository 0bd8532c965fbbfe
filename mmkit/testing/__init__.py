"""mmkit's runtime for tests: helpers for events, and the pytest plugin that exposes them."""
