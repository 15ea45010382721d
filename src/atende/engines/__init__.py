"""Reply engines: who writes the bot's answer (Gemini, or the local engine when no key is set)."""
