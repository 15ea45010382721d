"""Web chat (the widget): what a visitor sends, normalized like a Meta webhook; and the sender that has
nothing to call, since the widget reads its replies from Firestore."""
