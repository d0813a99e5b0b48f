"""Clinicore: clinic management and patient engagement platform."""
