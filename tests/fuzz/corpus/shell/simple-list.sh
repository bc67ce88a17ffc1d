make && make install || echo failed; ls -la | grep x &
