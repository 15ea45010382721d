"""Facebook Messenger (Pages): webhook normalization and the Send API."""
