"""How good a classifier is: metrics, the one results format, the evaluate stage, figures and the report."""
