"""Scam screening for Thai and English messages: normalization, classifier, URL risk, firewall."""
