"""Organizations, API keys, roles, TLP markings and the one access policy."""
