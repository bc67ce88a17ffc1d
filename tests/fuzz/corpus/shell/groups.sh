(cd /tmp && rm -f x); { echo a; echo b; } > out 2>&1 | tee log; { a; } <<<x
