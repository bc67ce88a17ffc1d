cat <<EOF > out
hello $USER \$x $(whoami) `hostname`
line\
continued
EOF
echo done
