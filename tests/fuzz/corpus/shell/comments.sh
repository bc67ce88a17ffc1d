# $(rm -rf /)
ls a#b # trailing $(id)
  # indented
