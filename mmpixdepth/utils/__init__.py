from .cfg_options import merge_cfg_options
from .config import load_config, sync_bn_to_bn
from .dist import init_cpu_dist
from .folders import remove_entries
from .listing import first_few
from .progress import progress
from .user_errors import report_user_errors

__all__ = ['load_config', 'merge_cfg_options', 'sync_bn_to_bn', 'init_cpu_dist', 'first_few',
           'progress', 'remove_entries', 'report_user_errors']
