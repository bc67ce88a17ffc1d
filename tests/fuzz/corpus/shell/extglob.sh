rm !(keep) @(a|$(id)) *(x) +(y) ?(z)
