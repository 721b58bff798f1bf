"""The catalog: courses and their lessons."""
