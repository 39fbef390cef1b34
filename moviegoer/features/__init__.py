"""Frame features for the MCU classifier: faces, picture statistics, behind one extractor interface."""
