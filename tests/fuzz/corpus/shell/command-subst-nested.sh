ls $(dirname $(which rm)) `echo \`id\``
