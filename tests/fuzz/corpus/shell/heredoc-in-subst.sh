x=$(cat <<EOF
a ) b $(id)
EOF
)
echo "$x"
