if test -f a; then cat a; elif ! grep -q x b; then :; else rm c; fi
while read l; do echo "$l"; done < f
until false; do date; done
