"""The domain: messages, conversations, contacts, triage and routing.

Nothing in here may import Flask, Firestore, Pub/Sub or anything Meta-specific;
adapters at the edges translate to and from these types.
"""
