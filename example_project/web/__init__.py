"""The web module: the gateway that renders the site. No models; it calls other modules' facades."""
