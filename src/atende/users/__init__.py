"""The people who sign in to the inbox: their role and teams (custom claims) and their `users` document."""
