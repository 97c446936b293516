"""The new design engine's shared contract: the spec read from the words (spec.py), the
canonical vocabulary both the reader and the builders use (vocab.py), and the part model
every subject, feature and product form is built from (parts.py). Lengths are mm."""
