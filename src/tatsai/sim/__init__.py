"""The seeded world simulator and the canonical analytics schemas."""
