"""E-mail over SMTP, through Django's configured e-mail backend."""
