"""Firestore: the document mappers (one module per aggregate), the unit of work and its repositories."""
