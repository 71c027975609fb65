"""Bringing material in: raw interviews and attribute sheets."""
