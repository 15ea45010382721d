"""Instagram messaging (Messenger Platform): webhook normalization (sends go through atende.channels.meta)."""
