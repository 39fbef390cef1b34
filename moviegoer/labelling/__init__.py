"""The browser labelling app (`moviegoer label`): frames shown large, one key per label, the default model's
suggestion beside each, every label journaled and written into the label table at once."""
