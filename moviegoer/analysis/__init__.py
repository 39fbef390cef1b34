"""One-pass film analysis: shots, sample frames per shot, faces and who they are, MCU scores, characters."""
