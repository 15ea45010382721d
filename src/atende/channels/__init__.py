"""Adapters that speak each messaging platform's wire format."""
