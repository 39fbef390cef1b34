"""The review page: a film plays above its timeline of shots, camera setups, characters and dialogue scenes."""
