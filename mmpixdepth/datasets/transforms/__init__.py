from .loading import LoadDepthFromFile

__all__ = ['LoadDepthFromFile']
