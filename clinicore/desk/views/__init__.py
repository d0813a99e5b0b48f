"""Workspace pages of the clinic, one module per area."""
