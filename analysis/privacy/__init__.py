"""Privacy: finding identifiers, pseudonymising raw interviews, the leak guard and git hook."""
