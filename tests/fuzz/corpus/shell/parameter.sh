echo ${#x} ${x#p} ${x%%s} ${x/a/b} ${!ref} ${!pre*} ${a[@]} ${a[i]} ${p@P} ${x:-'}'}
