"""Indicator types (phone, URL, bank account, …) and their extraction from free text."""
