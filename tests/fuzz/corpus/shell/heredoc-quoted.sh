sh <<'EOF'
$(id) `id` \$x
EOF
cat <<\E
x
E
