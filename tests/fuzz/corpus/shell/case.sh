case "$1" in
  start|run) ./app & ;;
  (stop) kill $(cat pid);&
  *) echo usage;;&
esac
