cmd <in >out 2>err >>log 3>>l3 >|c <>rw &>both &>>both2 2>&1 >&- 4<&5- >& f {fd}>v > $out
