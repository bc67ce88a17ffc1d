diff <(sort a) >(tee log); cat < <(ls)
