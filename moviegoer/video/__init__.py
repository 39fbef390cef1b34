"""Reading films: probing what a file really holds, and the samplers that keep one frame per mark."""
