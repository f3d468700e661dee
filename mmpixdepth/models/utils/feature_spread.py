"""How far the cells' feature vectors spread over directions: a collapse detector."""
import torch


@torch.no_grad()
def feature_spread(x: torch.Tensor) -> torch.Tensor:
    """Spread of the directions of the cells of ``x`` [B, C, H, W] over the batch and the map.

    Each cell's C-vector is L2-normalised; the std over all B*H*W cells of each channel is
    averaged over the channels and multiplied by sqrt(C). Unit vectors spread evenly over the
    sphere give about 1; all cells pointing one way (a collapsed projection) give 0. Returns a
    float32 scalar.
    """
    c = x.shape[1]
    unit = torch.nn.functional.normalize(x.detach().float().transpose(0, 1).reshape(c, -1), dim=0)
    return unit.std(dim=1).mean() * c**0.5
