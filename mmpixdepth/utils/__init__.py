from .cfg_options import merge_cfg_options
from .config import load_config
from .dist import init_cpu_dist

__all__ = ['load_config', 'merge_cfg_options', 'init_cpu_dist']
