cc -c x.c |& tee build.log
