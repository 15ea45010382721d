"""Adapters to Google Cloud services and third-party APIs."""
