"""Atende: omnichannel customer service on Google Cloud.

The package is shared by every Cloud Function. Keep this module import-free:
the webhook functions must cold-start without Firestore or google-genai.
"""
