# Sourced by the shell tools: their header comment is their usage text.
#   usage_or_continue MIN_ARGS "$@"
# -h / --help prints it and exits 0; fewer than MIN_ARGS arguments print it to stderr and exit 2.
print_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

usage_or_continue() {
  local min=$1
  shift
  if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
    print_usage
    exit 0
  fi
  if [ "$#" -lt "$min" ]; then
    echo "error: $(basename "$0") needs at least $min argument(s)" >&2
    print_usage >&2
    exit 2
  fi
}
