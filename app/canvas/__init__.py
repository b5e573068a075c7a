"""The network canvas: scene (follows the document), items, batched edges, view and interactions."""
