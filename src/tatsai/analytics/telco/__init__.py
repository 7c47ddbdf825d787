"""Telco analytics: scam-calling SIMs and SIM boxes from call records, report linkage, border
cells. Computes over canonical tables through :mod:`tatsai.analytics.engine`; holds no
database session and never imports the registry (its findings leave as CSV rows)."""
