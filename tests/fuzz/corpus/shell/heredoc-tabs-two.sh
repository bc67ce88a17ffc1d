cat <<-A; cat <<B | wc
	one
	A
two $(x)
B
ls
