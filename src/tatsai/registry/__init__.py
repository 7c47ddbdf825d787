"""registry: indicator records, evidence, scores and decay, lifecycle, allow-list, appeals,
the in-memory lookup index, and exchange formats (STIX 2.1, MISP, FollowTheMoney, blocklists)."""
