"""Facebook Messenger (Pages): webhook normalization (sends go through atende.channels.meta)."""
