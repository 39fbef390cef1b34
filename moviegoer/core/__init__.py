"""Foundations every stage shares: errors, paths, params, atomic writes, the console, quiet library logs."""
