ls() { rm -rf "$@"; }
function g { id; }
f() ( echo sub )
coproc W { cat; }
ls
