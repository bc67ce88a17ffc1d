A=1 B="x y" C+=z a[$i]=1 b=(x 'y z' $(id)) make -j4; export PATH=/x PS4='$(id)'
