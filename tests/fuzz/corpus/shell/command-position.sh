$EDITOR f; "${tool}" -x; /usr/bin/py* x; {rm,-rf,/}; rm {-rf,/tmp}; command $c
