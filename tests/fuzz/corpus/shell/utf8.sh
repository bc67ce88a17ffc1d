echo "héllo" wörld > fichier-été.txt; ls ✓
