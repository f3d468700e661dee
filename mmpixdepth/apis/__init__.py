"""Inference from Python, in the manner of ``mmseg.apis``: segment an image with a fine-tuned
checkpoint, and draw what a pretrained encoder sees (a cosine-similarity map)."""
from .segment import image_pipeline, inference_model, init_model, show_result
from .similarity import init_encoder, show_similarity, similarity_map

__all__ = [
    'init_model', 'inference_model', 'show_result', 'image_pipeline', 'init_encoder',
    'similarity_map', 'show_similarity'
]
