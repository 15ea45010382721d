"""Instagram messaging (Messenger Platform): webhook normalization and the Send API."""
