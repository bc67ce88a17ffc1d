echo "a \"b\" \$c \\ $HOME ${x:-y} $(date) `id`"
