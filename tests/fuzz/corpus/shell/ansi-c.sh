printf $'a\tb\n\x41\102\u00e9\U0001F600\cA\e\'q\' \0 end'
