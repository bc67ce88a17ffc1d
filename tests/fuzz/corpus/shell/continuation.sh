ec\
ho a\
b \
  c &\
& ls $\
(id)
