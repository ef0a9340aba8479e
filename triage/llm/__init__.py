"""Drafting SMART success criteria: with a language model, or offline from templates."""
