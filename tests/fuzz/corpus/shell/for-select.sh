for f in $(ls) *.c; do cat "$f"; done
for ((i=0; i<3; i++)); do echo $i; done
select s in y n; do break; done
