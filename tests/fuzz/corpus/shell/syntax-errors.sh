echo 'unterminated $(ls "x
