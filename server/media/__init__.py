"""Photos and voice notes: content-addressed storage, image checks and thumbnails, uploads."""
