"""Plumbing every context shares: settings, database, errors, audit log, pseudonyms."""
