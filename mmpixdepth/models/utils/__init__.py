from .pixel_masks import cell_centers, pixel_distances, pixel_pair_masks

__all__ = ['cell_centers', 'pixel_distances', 'pixel_pair_masks']
