ls *(e:'rm -rf /':) ${(e)x} =(ls) repeat 3 { echo }
