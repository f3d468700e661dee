from .config import load_config, merge_cfg_options

__all__ = ['load_config', 'merge_cfg_options']
